/** AT3019: a third-party model that a training pipeline of the same model produces. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { frontEndOf } from "../helpers/compile.js";

const at3019 = (text: string) => frontEndOf(text).diagnostics.filter((d) => d.code === "AT3019");

const ZONE = (body: string) => `zone ml "ML" { trust internal\n${body}}\n`;

test("a vendor model that the team's training pipeline produces is warned at its origin", () => {
  const text =
    ZONE(
      '  dataset corpus "Corpus"\n  pipeline train "Train" { type training }\n  model m "M" { origin vendor }\n',
    ) + "flow corpus -> train { kind train }\nflow train -> m { kind produce }\n";
  const [d, ...rest] = at3019(text);
  assert.equal(rest, []);
  assert.ok(d);
  assert.is(d.severity, "warning");
  assert.is(d.location && text.slice(d.location.start, d.location.end), "origin vendor");
  assert.is(d.message, "model `m` has `origin vendor`, but the training pipeline `train` produces it");
  // A `training` pipeline: in-house weights first, fine-tuned ones if it starts from a base model.
  assert.match(d.hint ?? "", "write `origin in_house` (`fine_tuned` if it starts from a base model)");
  assert.match(d.hint ?? "", "a vendor model it starts from is a model of its own (`origin vendor`");
});

test("a hub model downloaded and fine-tuned in place: the hint asks to split it", () => {
  const text =
    ZONE(
      '  registry hub "Hub" { type models  origin public }\n' +
        '  pipeline ft "Fine-tune" { type fine_tuning }\n' +
        '  model m "M" { origin public_hub }\n',
    ) + "flow hub -> m { kind load }\nflow m -> ft { kind load }\nflow ft -> m { kind produce }\n";
  const [d] = at3019(text);
  assert.ok(d);
  assert.is(d.message, "model `m` has `origin public_hub`, but the fine-tuning pipeline `ft` produces it");
  assert.match(
    d.hint ?? "",
    "`m` stands for both the weights `hub` brings and the ones `ft` makes from them",
  );
  assert.match(d.hint ?? "", "give `m` `origin fine_tuned`");
  assert.equal(
    (d.notes ?? []).map((n) => n.message),
    ["`ft` produces `m` here", "`hub` brings it third-party weights here (`load`)"],
  );
});

test("no warning for a conversion, a registry in between, an untyped job fed only weights, or an own origin", () => {
  const text =
    ZONE(
      '  registry hub "Hub" { type models  origin public }\n' +
        '  registry internal "Registry" { type models  origin private }\n' +
        '  dataset corpus "Corpus"\n' +
        '  pipeline convert "Convert" { type conversion }\n' +
        '  pipeline repack "Repack"\n' +
        '  pipeline ft "Fine-tune" { type fine_tuning }\n' +
        '  model base "Base" { origin public_hub }\n' +
        '  model gguf "GGUF" { origin public_hub }\n' +
        '  model packed "Packed" { origin public_hub }\n' +
        '  model mirrored "Mirrored" { origin public_hub }\n' +
        '  model own "Own" { origin fine_tuned }\n' +
        '  model unsaid "Unsaid"\n',
    ) +
    [
      "flow hub -> base { kind load }",
      "flow base -> convert { kind train }",
      "flow convert -> gguf { kind produce }",
      "flow base -> repack { kind train }",
      "flow repack -> packed { kind produce }",
      "flow corpus -> ft { kind train }",
      "flow ft -> internal { kind produce }",
      "flow internal -> mirrored { kind load }",
      "flow ft -> own { kind produce }",
      "flow ft -> unsaid { kind produce }",
      "",
    ].join("\n");
  const r = frontEndOf(text);
  assert.equal(
    r.diagnostics.map((d) => d.code),
    [],
    r.diagnostics.map((d) => d.message).join("\n"),
  );
});

test("an untyped pipeline that a train flow feeds with data trains; one warning per model", () => {
  const text =
    ZONE(
      '  dataset corpus "Corpus"\n  pipeline job "Job"\n  pipeline job2 "Job 2" { type training }\n' +
        '  model m "M" { origin public_hub }\n',
    ) +
    "flow corpus -> job { kind train }\nflow job -> m { kind produce }\nflow job2 -> m { kind produce }\n";
  const found = at3019(text);
  assert.is(found.length, 1);
  assert.is(
    found[0]!.message,
    "model `m` has `origin public_hub`, but the training pipeline `job` produces it",
  );
  assert.match(found[0]!.hint ?? "", "write `origin fine_tuned` (`in_house` if it trains from scratch)");
});

test.run();
