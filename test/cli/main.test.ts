import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import yargs from "yargs";
import { afterDoubleDash, main, skipHelpCache, usageText, VERSION } from "../../src/cli/main.js";
import { COMMANDS } from "../../src/cli/commands/index.js";

const BIN = fileURLToPath(new URL("../../../bin/aithreat.js", import.meta.url));

const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")) as {
  version: string;
  bin: Record<string, string>;
  files: string[];
};

test("--version prints the version in package.json", async () => {
  assert.is(VERSION, pkg.version);
  const io = bufferIo();
  assert.is(await main(["--version"], io), 0);
  assert.is(io.stdout.trim(), pkg.version);
});

test("the package ships its bin, the bundle, templates and data", () => {
  assert.is(pkg.bin["aithreat"], "bin/aithreat.js");
  for (const entry of [
    "bin",
    "dist/aithreat.mjs",
    "dist/aithreat.cjs",
    "dist/aithreat.cjs*.cache",
    "dist/src",
    "dist/data",
    "templates",
    "data",
  ])
    assert.ok(pkg.files.includes(entry), `package.json files lacks ${entry}`);
});

test("every command has a description and at least one --help example", async () => {
  for (const cmd of COMMANDS) {
    const name = cmd.command.split(" ")[0]!;
    const io = bufferIo();
    assert.is(await main([name, "--help"], io), 0, name);
    assert.ok(cmd.describe.length > 10, `${name} has no description`);
    assert.match(io.stdout, "Examples:", `${name} --help shows no examples`);
  }
});

test("yargs' per-run help rendering is skipped where skipHelpCache looks for it; help still prints", async () => {
  assert.ok(
    skipHelpCache(yargs([])),
    "yargs no longer has usage.cacheHelpMessage where skipHelpCache looks: the ~60 ms saving is gone",
  );
  assert.not.ok(skipHelpCache({}), "a parser without yargs' internals is left alone");
  // A command run, then help in a new parser: the help text is rendered when asked for.
  assert.is(await main(["rules", "--format", "json"], bufferIo()), 0);
  const io = bufferIo();
  assert.is(await main(["check", "--help"], io), 0);
  assert.match(io.stdout, "Examples:");
});

test("no command, an unknown command and an unknown option are usage errors (exit 2)", async () => {
  for (const args of [[], ["chek", "x"], ["check", "m.aithreat", "--fromat", "json"]]) {
    const io = bufferIo();
    assert.is(await main(args, io), 2, args.join(" "));
    assert.match(io.stderr, "AT9002");
    assert.not.match(io.stderr, /\n\s+at /, "no stack trace");
  }
});

test("no command at all lists the commands by name", async () => {
  const io = bufferIo();
  assert.is(await main([], io), 2);
  const first = io.stderr.split("\n")[0]!;
  assert.ok(first.startsWith("error AT9002: name a command: `check`, `compile`, `paths`"), first);
  for (const name of ["rules", "explain", "coverage", "diff", "export", "fmt", "init"])
    assert.ok(first.includes(`\`${name}\``), name);
});

test("an unknown dashed option is named once, without the camel-case twin yargs adds", async () => {
  // `check --fail-on high` (the gates are compile's) said "unknown arguments: fail-on, failOn".
  const cases: [string[], string][] = [
    [["check", "samples/rag-support", "--fail-on", "high"], "unknown argument: fail-on"],
    [
      ["check", "samples/rag-support", "--fail-on=high", "--baseline=b.json"],
      "unknown arguments: fail-on, baseline",
    ],
    [
      ["compile", "samples/rag-support", "--sarif-max", "5", "--nope", "x"],
      "unknown arguments: sarif-max, nope",
    ],
  ];
  for (const [args, message] of cases) {
    const io = bufferIo();
    assert.is(await main(args, io), 2, args.join(" "));
    assert.is(io.stderr.split("\n")[0], `error AT9002: ${message}`);
  }
});

test("a usage error shows the command line's control characters and line feeds as `?`, yargs' layout kept", async () => {
  // `check $'--bogus\e[2J'` cleared the terminal: yargs quotes the command line in its messages,
  // which were printed raw; a line feed in a word started a line that could read as a diagnostic.
  const model = "samples/rag-support";
  const cases: [string[], string][] = [
    [["check", model, "--bogus\u001b[2J"], "error AT9002: unknown argument: bogus?[2J\n"],
    [["chek\u001b]8;;http://x\u0007"], "error AT9002: unknown argument: chek?]8;;http://x?\n"],
    [["check", model, "--x\u202e"], "error AT9002: unknown argument: x?\n"],
    [["init", "a", "b\nerror AT0000: forged"], "error AT9002: unknown argument: b?error AT0000: forged\n"],
    [["check", model, "-\nx"], 'error AT9002: unknown arguments: "?", x\n'],
    // yargs' two lines stay; the value it quotes as JSON is inert already.
    [
      ["check", model, "--format", "js\non\u001b[2J"],
      'error AT9002: invalid values:\n  Argument: format, Given: "js\\non\\u001b[2J", Choices: "text", "json"\n',
    ],
  ];
  for (const [args, expected] of cases) {
    const io = bufferIo();
    assert.is(await main(args, io), 2, JSON.stringify(args));
    assert.is(io.stderr, `${expected}  = hint: run \`aithreat --help\` for usage\n`, JSON.stringify(args));
  }
  // The layout of an ordinary message is left alone.
  assert.is(
    usageText("Invalid values:\n  Argument: format", ["check", "--format", "x"]),
    "Invalid values:\n  Argument: format",
  );
});

test("an option given twice is a usage error (exit 2) naming it, not an internal error", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["compile", "samples/rag-support", "--out", "a", "--out", "b"],
      /`--out` or `-o` is given more than once/,
    ],
    [["compile", "samples/rag-support", "-o", "a", "-o", "b"], /`--out` or `-o` is given more than once/],
    [["check", "samples/rag-support", "--root", ".", "--root", "."], /`--root` is given more than once/],
    [
      ["check", "samples/rag-support", "--policy", "a", "--policy", "b"],
      /`--policy` is given more than once/,
    ],
    [
      ["compile", "samples/rag-support", "--baseline", "a.json", "--baseline", "b.json"],
      /`--baseline` is given more than once/,
    ],
    [["paths", "samples/rag-support", "-k", "1", "-k", "2"], /`-k` or `-n` is given more than once/],
    // The same option under its two names.
    [["paths", "samples/rag-support", "-k", "3", "-n", "4"], /`-k` or `-n` is given more than once/],
    [["diff", "--base", "HEAD", "--base", "main"], /`--base` is given more than once/],
  ];
  for (const [args, message] of cases) {
    const io = bufferIo();
    assert.is(await main(args, io), 2, `${args.join(" ")}: ${io.stderr}`);
    assert.match(io.stderr, /^error AT9002: /);
    assert.match(io.stderr, message);
  }
  // Repeatable options (the model paths) and flags stay repeatable.
  const io = bufferIo();
  const args = ["check", "samples/org-multi-file/shared", "samples/org-multi-file", "-q", "-q"];
  assert.is(await main(args, io), 0, io.stderr);
});

test("an option that takes a value, given without one, is a usage error naming it, not its default", async () => {
  // These ran on with the default: `-o` wrote `aithreat-out`, `-k` listed 5 paths, `--title` wrote
  // the starter with its default title, `--assume` assumed nothing. Run in a folder of its own, so
  // whatever a failing run writes lands there.
  const sample = path.resolve("samples/rag-support");
  const home = process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-no-value-"));
  process.chdir(dir);
  try {
    const cases: [string[], string][] = [
      [["compile", sample, "-o"], "`-o` needs a value"],
      [["compile", sample, "--out"], "`--out` needs a value"],
      [["paths", sample, "-k"], "`-k` needs a value"],
      [["paths", sample, "--assume"], "`--assume` needs a value"],
      [["check", sample, "--max-file-size"], "`--max-file-size` needs a value"],
      [["init", "--title"], "`--title` needs a value"],
      [["rules", "--format"], "`--format` needs a value"],
      [["check", sample, "--format"], "`--format` needs a value"],
    ];
    for (const [args, message] of cases) {
      const io = bufferIo({}, dir);
      assert.is(await main(args, io), 2, `${args.join(" ")}: ${io.stderr}`);
      assert.match(io.stderr, `error AT9002: ${message}\n`);
      assert.is(io.stdout, "");
    }
    assert.equal(fs.readdirSync(dir), [], "nothing was written");
    // Positionals are not options: a command still takes its paths, and options their values.
    const io = bufferIo({}, dir);
    assert.is(await main(["paths", sample, "-k", "1", "--to", "customer_pii"], io), 0, io.stderr);
    // `--assume` takes one value each time: the model path after it stays a path.
    const assumed = bufferIo({}, dir);
    const args = [
      "paths",
      "--assume",
      "egress_allowlist@escalate_email",
      "--assume",
      "human_approval@support_bot",
      sample,
    ];
    assert.is(await main(args, assumed), 0, assumed.stderr);
    assert.match(assumed.stdout, "as if: egress_allowlist@escalate_email, human_approval@support_bot");
  } finally {
    process.chdir(home);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("`--` ends the options: what follows is a model path or a target, even a name starting with `-`", async () => {
  // yargs left the words after `--` out of a command's positional arguments: `check -- models`
  // said "not enough non-option arguments", `explain AT-25 -- models` ignored the models.
  const sample = path.resolve("samples/rag-support");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-end-of-options-"));
  try {
    const checked = bufferIo({}, dir);
    assert.is(await main(["check", "--", sample], checked), 0, checked.stderr);
    assert.match(checked.stderr, "1 file checked: 0 errors");
    const explained = bufferIo({}, dir);
    assert.is(await main(["explain", "AT-25", "--", sample], explained), 0, explained.stderr);
    assert.match(explained.stdout, /findings in these models: \d+/);
    // A model file whose name starts with `-` is read as a path, not an unknown option.
    fs.copyFileSync(path.join(sample, "support-assistant.aithreat"), path.join(dir, "-model.aithreat"));
    const dashed = bufferIo({}, dir);
    assert.is(
      await main(["check", "--root", dir, "--", path.join(dir, "-model.aithreat")], dashed),
      0,
      dashed.stderr,
    );
    const relative = bufferIo({}, dir);
    const home = process.cwd();
    process.chdir(dir);
    try {
      assert.is(await main(["check", "--", "-model.aithreat"], relative), 0, relative.stderr);
    } finally {
      process.chdir(home);
    }
    assert.match(relative.stderr, "1 file checked: 0 errors");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("an exception escaping a command is exit 3 with a short message; the stack only with --debug", async () => {
  const failing = bufferIo();
  failing.out = () => {
    throw new Error("stdout closed");
  };
  assert.is(await main(["check", "samples/rag-support", "--format", "json"], failing), 3);
  assert.match(failing.stderr, "AT9999");
  assert.not.match(failing.stderr, /\n\s+at /);
  const debug = bufferIo();
  debug.out = () => {
    throw new Error("stdout closed");
  };
  assert.is(await main(["check", "samples/rag-support", "--format", "json", "--debug"], debug), 3);
  assert.match(debug.stderr, /\n\s+at /);
});

test("after `--` a file whose name starts with `-` is a model path, for check and compile alike", () => {
  // The real command in the model's folder: the path is relative, as a user types it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-dashdash-"));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
  try {
    fs.writeFileSync(path.join(dir, "-draft.aithreat"), 'zone z "Z" { trust internal }\nstore s "S" in z\n');
    const check = cli("check", "--", "-draft.aithreat");
    assert.is(check.status, 0, check.stderr);
    const compile = cli("compile", "-q", "--out", "out", "--only", "json", "--", "-draft.aithreat");
    assert.is(compile.status, 0, compile.stderr);
    const json = JSON.parse(fs.readFileSync(path.join(dir, "out", "findings.json"), "utf8")) as {
      model: { files: string[] };
    };
    assert.equal(json.model.files, ["-draft.aithreat"]);
    // Without `--` it is an unknown option, as any other.
    assert.is(cli("check", "-draft.aithreat").status, 2);
    // `--debug` after `--` is a path, not the flag.
    assert.match(cli("check", "--", "--debug").stderr, "cannot read `./--debug`");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("afterDoubleDash drops `--` and spells the arguments after it as paths", () => {
  assert.equal(afterDoubleDash(["check", "a.aithreat"]), ["check", "a.aithreat"]);
  assert.equal(afterDoubleDash(["diff", "-q", "--", "-old", "new", "--"]), [
    "diff",
    "./-old",
    "new",
    "./--",
    "-q",
  ]);
  // The options just before `--` stay options of their own: `-o` takes no path as its value.
  assert.equal(afterDoubleDash(["compile", "a", "-o", "out", "-q", "--", "b"]), [
    "compile",
    "a",
    "-o",
    "out",
    "b",
    "-q",
  ]);
});

test("an option that takes a value, written just before `--`, has none: the path after `--` is a model", async () => {
  // `compile a -o -- b` wrote the outputs into the folder `b`, which was given as a model.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-dashdash-value-"));
  try {
    fs.mkdirSync(path.join(dir, "b"));
    const model = path.join(dir, "a.aithreat");
    fs.writeFileSync(model, 'zone z "Z" { trust internal }\nstore s "S" in z\n');
    const io = bufferIo({}, dir);
    assert.is(await main(["compile", model, "-q", "-o", "--", path.join(dir, "b")], io), 2, io.stderr);
    assert.match(io.stderr, "`-o` needs a value");
    assert.equal(
      fs.readdirSync(path.join(dir, "b")),
      [],
      "nothing is written into the folder given as a model",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
