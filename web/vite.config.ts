/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// `npm run dev` proxies the API and the local stack's routes to `make run`
// (127.0.0.1:8080), so the dev server behaves like the console it serves.
const stack = process.env.STACKDESK_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [vue()],
  build: { target: "es2022", sourcemap: false },
  server: {
    proxy: { "/api": stack, "/local": stack, "/config.json": stack },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
