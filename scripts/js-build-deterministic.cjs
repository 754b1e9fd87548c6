// Preloaded into node by scripts/build-js-component.sh. componentize-js names its scratch directory after
// Math.random(), and Wizer exposes that directory to the JavaScript engine it snapshots, so the random name
// would end up inside the component's memory image. A fixed-seed generator keeps the name (and the bytes)
// the same on every build. Only the build tools run under this preload; the component itself is unaffected.
let state = 0x2545f491;
Math.random = () => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 0x100000000;
};
