// Fails when src/api/schema.d.ts is not what `npm run gen` makes from the
// agent API's OpenAPI document, so the console cannot drift from the API.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "stackdesk-gen-"));
try {
  const out = join(dir, "schema.d.ts");
  execFileSync("node_modules/.bin/openapi-typescript", ["../shared/api/agent/openapi.yaml", "-o", out], { stdio: "pipe" });
  const want = readFileSync(out, "utf8");
  const have = readFileSync("src/api/schema.d.ts", "utf8");
  if (want !== have) {
    console.error("src/api/schema.d.ts is stale: the agent API's openapi.yaml changed. Run `npm run gen` in web/ and commit it.");
    process.exit(1);
  }
  console.log("src/api/schema.d.ts matches shared/api/agent/openapi.yaml");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
