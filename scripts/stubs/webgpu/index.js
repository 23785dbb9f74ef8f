// gpu.js never loads this package itself; WebGPU in Node needs navigator.gpu from a Dawn build
// that loads on this system (see scripts/stubs/README.md).
module.exports = {};
