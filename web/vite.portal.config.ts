import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// The customer portal: its own small bundle (web/portal/index.html, code in
// src/portal), served at /portal/ beside the console (dist/portal). Built
// after the console, whose build empties dist/.
const stack = process.env.STACKDESK_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  root: "portal",
  base: "/portal/",
  plugins: [vue()],
  build: { target: "es2022", sourcemap: false, outDir: "../dist/portal", emptyOutDir: true },
  server: { proxy: { "/portal/api": stack } },
});
