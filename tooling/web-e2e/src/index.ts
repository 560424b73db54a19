export { browserForTests, CHROMIUM_ARGS, findChromium, launchChromium } from './chromium.js';
export { corpusDir, corpusFiles, fillLake, generatedFiles, type LakeFile } from './lake.js';
export { signedInContext, TOKEN_KEY } from './session.js';
