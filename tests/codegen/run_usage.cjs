// Runs usage.ts's functions, as a frontend would, against the server given and prints what
// they return as one JSON object. tests/codegen/test_typescript.py compiles usage.ts (and the
// client) to CommonJS in a folder of its own first; its path is the first argument.
const [compiled, endpoint, token, brandId, username, nodeId] = process.argv.slice(2);
const usage = require(`${compiled}/tests/codegen/usage.js`);

(async () => {
  const creators = await usage.approvedCreators(endpoint, token, brandId);
  const requested = await usage.request(endpoint, token, brandId, username);
  const described = await usage.describe(endpoint, token, nodeId);
  process.stdout.write(JSON.stringify({ creators, requested, described }));
})().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
