// PostCSS plugin: Radix Themes' stylesheet cut down to what this app can render.
//
// Written into the web directory by epoint_ui/first_paint.py and run by Vite on the global
// stylesheet, after postcss-import has inlined Radix's files, in `reflex export` and
// `reflex run` alike (dev shows exactly what production ships). Radix's stylesheet styles
// every component at every breakpoint (about 620 KB); the browser parses it and matches
// every rule before the first paint. This keeps:
//
// * the rules of the Radix components the compiled pages import (`import {Button, ...}
//   from "@radix-ui/themes"`), with the classes each one's source stylesheet defines
//   (its `_internal` base included) - a rule naming any other component goes;
// * responsive variants (`sm:rt-r-size-2`, ...) only for breakpoints a page uses in a
//   responsive Radix prop (`{initial: ..., sm: ...}`);
// * colour mappings only for the colour scales the app imports, and no dark theme (the
//   app's theme is light only).
//
// The compiled pages are declared as dependencies, so `reflex run` rebuilds the sheet when
// a page starts using another component.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const WEB = path.dirname(fileURLToPath(import.meta.url));
const SOURCES = ["app", "utils", "components", "app_components"];
const RADIX_SOURCE = path.join(WEB, "node_modules", "@radix-ui", "themes", "src", "components");
const BREAKPOINTS = ["xs", "sm", "md", "lg", "xl"];
// Always there: the text every component builds on.
const ALWAYS = ["Text"];

function sourceFiles(dir, found = []) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(file, found);
    else if (/\.(jsx?|tsx?)$/.test(entry.name)) found.push(file);
  }
  return found;
}

function kebab(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

// The Radix classes (rt-Button, rt-BaseButton, ...) a component's source stylesheet defines.
function componentClasses(file, classes, seen = new Set()) {
  if (seen.has(file) || !fs.existsSync(file)) return;
  seen.add(file);
  const css = fs.readFileSync(file, "utf8");
  for (const match of css.matchAll(/\.(rt-[A-Z][\w-]*)/g)) classes.add(match[1]);
  for (const match of css.matchAll(/@import\s+['"]([^'"]+)['"]/g)) {
    componentClasses(path.resolve(path.dirname(file), match[1]), classes, seen);
  }
}

function whatTheAppUses(files) {
  const code = files.map((file) => fs.readFileSync(file, "utf8")).join("\n");
  const components = new Set(ALWAYS);
  for (const match of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']@radix-ui\/themes["']/g)) {
    for (const spec of match[1].split(",")) {
      const name = spec.trim().split(/\s+as\s+/)[0];
      if (name) components.add(name);
    }
  }
  const classes = new Set();
  for (const name of components) {
    componentClasses(path.join(RADIX_SOURCE, `${kebab(name)}.css`), classes);
  }
  const breakpoints = new Set();
  for (const match of code.matchAll(/\(\{\s*\["initial"\][^)]*\}\)/g)) {
    for (const key of match[0].matchAll(/\["(\w+)"\]/g)) {
      if (BREAKPOINTS.includes(key[1])) breakpoints.add(key[1]);
    }
  }
  return { components, classes, breakpoints };
}

const leanRadix = ({ colours = [] } = {}) => ({
  postcssPlugin: "epoint-lean-radix",
  Once(root, { result }) {
    const source = root.source?.input?.file ?? "";
    if (!source.includes("__reflex_global_styles")) return;
    for (const dir of SOURCES) {
      result.messages.push({ type: "dir-dependency", plugin: "epoint-lean-radix", dir: path.join(WEB, dir), glob: "**/*.{js,jsx}", parent: source });
    }
    const used = whatTheAppUses(SOURCES.flatMap((dir) => sourceFiles(path.join(WEB, dir))));
    const colourSet = new Set(colours);
    const keep = (selector) => {
      for (const match of selector.matchAll(/\.(rt-[A-Z][\w-]*)/g)) {
        if (!used.classes.has(match[1])) return false;
      }
      for (const match of selector.matchAll(/\.(\w+)\\:-?rt-/g)) {
        if (BREAKPOINTS.includes(match[1]) && !used.breakpoints.has(match[1])) return false;
      }
      for (const match of selector.matchAll(/\[data-(?:accent|gray)-color=['"]?([a-z]+)['"]?\]/g)) {
        if (match[1] !== "gray" && colourSet.size && !colourSet.has(match[1])) return false;
      }
      if (/\.dark(-theme)?\b/.test(selector)) return false;
      return true;
    };
    root.walkRules((rule) => {
      if (rule.parent?.type === "atrule" && /keyframes$/.test(rule.parent.name)) return;
      const kept = rule.selectors.filter(keep);
      if (kept.length === 0) rule.remove();
      else if (kept.length < rule.selectors.length) rule.selectors = kept;
    });
    let emptied = true;
    while (emptied) {
      emptied = false;
      root.walkAtRules((atRule) => {
        if (atRule.nodes && atRule.nodes.length === 0) {
          atRule.remove();
          emptied = true;
        }
      });
    }
  },
});
leanRadix.postcss = true;

export default leanRadix;
