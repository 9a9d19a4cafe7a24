import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Built into dist/ with relative URLs, so the demo server can serve it under /examples/react/.
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
});
