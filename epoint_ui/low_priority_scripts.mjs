// Vite plugin: the exported pages fetch the app's scripts at low priority, after the paint.
//
// Written into the web directory by epoint_ui/first_paint.py and run once `reflex export`
// has pre-rendered every page (a `buildApp` hook ordered after React Router's). The pages
// are complete HTML: the browser paints them with the stylesheet alone, and the scripts
// only make them live (hydration). React Router preloads those scripts with
// `<link rel="modulepreload">` at high priority, so on a busy phone they compete with the
// stylesheet and a first paint that comes late waits behind them (and Lighthouse counts
// them as render-blocking). `fetchpriority="low"` keeps them parallel and early, behind
// what the paint needs. The `.gz` twins are written afterwards by Reflex (compress-static).
import fs from "node:fs/promises";
import path from "node:path";

const PRELOAD = '<link rel="modulepreload"';
const LOW = '<link rel="modulepreload" fetchpriority="low"';

async function htmlFiles(dir) {
  const found = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await htmlFiles(file)));
    else if (entry.name.endsWith(".html")) found.push(file);
  }
  return found;
}

export default function lowPriorityScripts() {
  return {
    name: "epoint-low-priority-scripts",
    apply: "build",
    buildApp: {
      order: "post",
      async handler(builder) {
        const client = builder.environments.client?.config;
        if (!client) return;
        const outDir = path.resolve(client.root, client.build.outDir);
        let preloads = 0;
        for (const file of await htmlFiles(outDir)) {
          const html = await fs.readFile(file, "utf8");
          const count = html.split(PRELOAD).length - 1;
          if (count === 0) continue;
          preloads += count;
          await fs.writeFile(file, html.replaceAll(PRELOAD, LOW));
        }
        if (preloads === 0) {
          throw new Error(`epoint-low-priority-scripts: no ${PRELOAD}> in ${outDir}; did React Router change?`);
        }
      },
    },
  };
}
