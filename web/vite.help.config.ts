import { defineConfig } from "vite";

// The help button (src/help/help.ts): one tiny plain script with a stable
// name, dist/portal/help.js, that a tenant's website loads with one tag.
// Built after the portal (whose build empties dist/portal).
export default defineConfig({
  build: {
    target: "es2019",
    sourcemap: false,
    outDir: "dist/portal",
    emptyOutDir: false,
    copyPublicDir: false,
    lib: { entry: "src/help/help.ts", formats: ["iife"], name: "StackdeskHelp", fileName: () => "help.js" },
  },
});
