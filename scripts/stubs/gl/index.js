// No headless WebGL context in this install: gpu.js then reports headlessgl as unsupported.
module.exports = function createContext() {
  return null;
};
