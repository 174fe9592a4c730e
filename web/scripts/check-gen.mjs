// Fails when a generated schema.d.ts is not what `npm run gen` makes from
// its OpenAPI document (the agent API's for the console, the portal API's
// for the portal), so neither app can drift from its API.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const docs = [
  ["../shared/api/agent/openapi.yaml", "src/api/schema.d.ts"],
  ["../shared/api/portal/openapi.yaml", "src/portal/api/schema.d.ts"],
];
const dir = mkdtempSync(join(tmpdir(), "stackdesk-gen-"));
let stale = false;
try {
  for (const [doc, have] of docs) {
    const out = join(dir, "schema.d.ts");
    execFileSync("node_modules/.bin/openapi-typescript", [doc, "-o", out], { stdio: "pipe" });
    if (readFileSync(out, "utf8") !== readFileSync(have, "utf8")) {
      console.error(`${have} is stale: ${doc} changed. Run \`npm run gen\` in web/ and commit it.`);
      stale = true;
    } else {
      console.log(`${have} matches ${doc}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (stale) process.exit(1);
