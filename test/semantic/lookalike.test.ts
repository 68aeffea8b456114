/** Names that read alike (src/semantic/lookalike.ts) and the AT2006 warning the symbol table gives. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { idSkeleton, isAscii, skeleton } from "../../src/semantic/lookalike.js";
import { frontEnd } from "../helpers/compile.js";

test("a name's skeleton: compatibility forms folded, Cyrillic and Greek look-alikes read as Latin", () => {
  assert.is(skeleton("cache"), "cache");
  assert.is(skeleton("\u0441ache"), "cache"); // Cyrillic es
  assert.is(skeleton("\uff43ache"), "cache"); // fullwidth c
  assert.is(skeleton("\u0410\u0422-25"), "AT-25"); // Cyrillic A and T
  assert.is(skeleton("\u03bfps"), "ops"); // Greek omicron
  // Letters with no Latin twin stay themselves: a Russian name is not a look-alike of anything.
  assert.is(skeleton("\u0431\u0430\u0437\u0430"), "\u0431a\u0437a");
  assert.ok(isAscii("kb_index") && !isAscii("k\u0431"));
  // Lower-case т and к look like small capitals: not look-alikes of t and k in a name, but in an id.
  assert.is(skeleton("\u043a\u043e\u0442"), "\u043ao\u0442");
  assert.is(idSkeleton("\u0410\u0442-25"), "At-25");
});

test("AT2006 at the later of two names that look alike, across files and in either order", () => {
  const r = frontEnd(
    {
      "a.aithreat": 'zone vpc "VPC" { trust internal }\nstore \u0441ache "Copy" in vpc\n',
      "b.aithreat": 'import "./a.aithreat"\nstore cache "Cache" in vpc\n',
    },
    ["b.aithreat", "a.aithreat"],
  );
  const warnings = r.diagnostics.filter((d) => d.code === "AT2006");
  assert.is(warnings.length, 1, JSON.stringify(r.diagnostics.map((d) => d.message)));
  assert.match(warnings[0]!.message, "`cache` looks like the component `\u0441ache` but is another name");
  assert.match(warnings[0]!.message, "U+0441");
  assert.is(warnings[0]!.severity, "warning");
  assert.ok(r.ok, "a warning: the model is still valid");
});

test("distinct names in other scripts, and ASCII names alone, give no AT2006", () => {
  const r = frontEnd({
    "m.aithreat":
      'zone vpc "VPC" { trust internal }\nstore \u0431\u0430\u0437\u0430 "DB" in vpc\nstore cache "C" in vpc\nstore Cache "C2" in vpc\n',
  });
  assert.equal(
    r.diagnostics.filter((d) => d.code === "AT2006"),
    [],
  );
});

test.run();
