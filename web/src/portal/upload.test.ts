import { describe, expect, it } from "vitest";
import type { PortalClient } from "./api/client";
import { uploadAll } from "./upload";

// A fake portal API answering POST /portal/api/uploads, and a fake storage
// recording the presigned POSTs.
function fakes(status = 204) {
  const asked: unknown[] = [];
  const posted: { url: string; keys: string[] }[] = [];
  let n = 0;
  const api = {
    async POST(path: string, init: { body: unknown }) {
      asked.push({ path, body: init.body });
      n++;
      return {
        data: { upload_id: String(n).padStart(32, "0"), url: "https://bucket.example/", fields: { key: `u/${n}`, policy: "p", "x-amz-signature": "s" },
          expires_at: "2026-11-30T11:00:00Z", max_size: 10485760 },
        response: new Response(null, { status: 201 }),
      };
    },
  } as unknown as PortalClient;
  const post = (async (url: string, init: { body: FormData }) => {
    posted.push({ url, keys: [...init.body.keys()] });
    return new Response(null, { status });
  }) as unknown as typeof fetch;
  return { api, post, asked, posted };
}

describe("uploadAll", () => {
  it("asks for a form per file, posts its fields then the file last, and returns the upload ids", async () => {
    const f = fakes();
    const ids = await uploadAll(f.api, [new File(["hello"], "a.txt", { type: "text/plain" }), new File([new Uint8Array(3)], "b.bin")], f.post);
    expect(ids).toEqual(["00000000000000000000000000000001", "00000000000000000000000000000002"]);
    expect(f.asked).toEqual([
      { path: "/portal/api/uploads", body: { name: "a.txt", content_type: "text/plain", size: 5 } },
      { path: "/portal/api/uploads", body: { name: "b.bin", content_type: "application/octet-stream", size: 3 } },
    ]);
    expect(f.posted[0]).toEqual({ url: "https://bucket.example/", keys: ["key", "policy", "x-amz-signature", "file"] });
  });

  it("fails when storage refuses the file, and refuses empty or too large files before asking", async () => {
    await expect(uploadAll(fakes(403).api, [new File(["x"], "c.txt")], fakes(403).post)).rejects.toThrow(/could not be uploaded \(403\)/);
    const f = fakes();
    await expect(uploadAll(f.api, [new File([], "empty.txt")], f.post)).rejects.toThrow(/empty/);
    expect(f.asked).toEqual([]);
  });
});
