import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCircular, parseDependencyTree } from "dpdm";
import ts from "typescript";

/**
 * The shape of app/: no module imports itself round a circle, and the
 * domain (app/domain) never reaches into pages or components. dpdm reads
 * the imports with the TypeScript compiler (docs/decisions/024-modules.md).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const rel = (id: string) => path.relative(root, path.resolve(root, id)).split(path.sep).join("/");

describe("modules", () => {
  it("no two modules in app/ import each other, directly or round a circle (dynamic imports too)", async () => {
    const tree = await parseDependencyTree("app/**/*.{ts,tsx}", {
      context: root,
      tsconfig: path.join(root, "tsconfig.json"),
      // an import that only carries types is dropped, as the build drops it
      transform: true,
      skipDynamicImports: false,
    });
    expect(
      Object.keys(tree).filter((id) => rel(id).startsWith("app/domain/")).length,
    ).toBeGreaterThan(30);
    const circles = parseCircular(tree, false).map((circle) => circle.map(rel).join(" -> "));
    expect(circles).toEqual([]);
  });

  it("nothing under app/domain imports from app/components or app/routes, not even a type", () => {
    const domain = path.join(root, "app/domain");
    const files = readdirSync(domain, { recursive: true, encoding: "utf8" }).filter((f) =>
      /\.tsx?$/.test(f),
    );
    expect(files.length).toBeGreaterThan(30);
    const wrong: string[] = [];
    for (const file of files) {
      const full = path.join(domain, file);
      // every import, export-from and import() the compiler sees, types included
      const { importedFiles } = ts.preProcessFile(readFileSync(full, "utf8"), true, true);
      for (const { fileName } of importedFiles) {
        if (!fileName.startsWith(".")) continue;
        const target = rel(path.resolve(path.dirname(full), fileName)).replace(/\.(tsx?|js)$/, "");
        const edge = `${rel(full)} -> ${target}`;
        if (/^app\/(components|routes)\//.test(target)) wrong.push(edge);
      }
    }
    expect(wrong).toEqual([]);
  });
});
