// Attachments go straight to storage: POST /portal/api/uploads gives a
// presigned form, the file is posted to it, and its upload_id is named in
// the reply or new ticket.
import { reason, type PortalClient } from "./api/client";

export const maxSize = 10 * 1024 * 1024;

export async function upload(api: PortalClient, file: File, post: typeof fetch = fetch): Promise<string> {
  if (file.size > maxSize) throw new Error(`“${file.name}” is larger than 10 MB.`);
  if (file.size === 0) throw new Error(`“${file.name}” is empty.`);
  const { data, error } = await api.POST("/portal/api/uploads", {
    body: { name: file.name, content_type: file.type || "application/octet-stream", size: file.size },
  });
  if (!data) throw new Error(`“${file.name}”: ${reason(error, "the file could not be uploaded.")}`);
  const form = new FormData();
  for (const [k, v] of Object.entries(data.fields)) form.append(k, v);
  form.append("file", file); // last: storage ignores fields after the file
  const r = await post(data.url, { method: "POST", body: form });
  if (!r.ok) throw new Error(`“${file.name}” could not be uploaded (${r.status}).`);
  return data.upload_id;
}

export async function uploadAll(api: PortalClient, files: File[], post: typeof fetch = fetch): Promise<string[]> {
  const ids: string[] = [];
  for (const f of files) ids.push(await upload(api, f, post));
  return ids;
}
