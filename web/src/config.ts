// The console's runtime configuration: /config.json, written per stack
// (CloudFront's bucket, or the local stack), never baked into the build.
export interface CognitoConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  // Cognito's endpoint: https://cognito-idp.<region>.amazonaws.com on AWS, a
  // same-origin proxy of the emulator locally ("/local/cognito"), or "local"
  // for the local stack's POST /local/token.
  endpoint: string;
}

export interface ConsoleConfig {
  apiBaseUrl: string; // "" is the console's own origin
  cognito: CognitoConfig;
  tenantName: string;
}

export async function loadConfig(fetchFn: typeof fetch = fetch): Promise<ConsoleConfig> {
  const res = await fetchFn("/config.json", { cache: "no-store" });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const c = (await res.json()) as Partial<ConsoleConfig>;
  if (typeof c.apiBaseUrl !== "string" || !c.cognito || !c.cognito.clientId || !c.cognito.endpoint) {
    throw new Error("config.json: apiBaseUrl and cognito {region, userPoolId, clientId, endpoint} are required");
  }
  const endpoint = c.cognito.endpoint || `https://cognito-idp.${c.cognito.region}.amazonaws.com`;
  return { apiBaseUrl: c.apiBaseUrl.replace(/\/$/, ""), cognito: { ...c.cognito, endpoint }, tenantName: c.tenantName ?? "" };
}
