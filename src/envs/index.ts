/**
 * Registers every built-in environment.
 * @module
 * @internal
 */
import './mapf/spec.js';
import './volleyball/spec.js';
import './dispatch/spec.js';
