import type { ThreatGraph } from "../graph/threat-graph.js";
import { nameList } from "../words.js";
import type { ControlUse, Subject } from "../semantic/model.js";
import { controlCounts } from "./engine.js";
import type { Facts } from "./facts.js";
import type { Finding } from "./findings.js";
import type { ControlPoint, FindingDraft, Rule } from "./rule.js";

/** Why a control declared on a finding's subject does not count; `impliedBy` when only a property implies it. */
export interface UncountedControl {
  readonly reason: string;
  readonly impliedBy?: string;
}

const sameSubject = (a: Subject, b: Subject): boolean => a.type === b.type && a.index === b.index;

/**
 * The controls declared on a finding's subject (or implied by its properties) that would mitigate
 * the finding's rule but do not count against this finding, each with the reason, for `aithreat
 * explain`. Three cases today, all of an agent's `human_approval` (`ControlPoint.except`): a tool that
 * states its own approval replaces the calling agent's, so it does not count for calls to it (named
 * by `replacedBy` where the path does not show them); it does not count for calls made by the agents
 * it delegates to (`exceptFor: "delegated"`); and it does not count for a way out that leaves the
 * agent by no call of its own (`exceptFor: "uncalled"`: AT-37 through its answer to a renderer).
 *
 * A finding does not keep its control points, so the rule's check runs again over the same graph
 * and facts for the finding's draft (same subject and key); it runs only when such a control exists.
 */
export function uncountedControls(
  graph: ThreatGraph,
  facts: Facts,
  rule: Rule,
  finding: Finding,
): ReadonlyMap<string, UncountedControl> {
  const out = new Map<string, UncountedControl>();
  const model = graph.model;
  const subject = finding.subject;
  const declared: readonly ControlUse[] =
    subject.type === "component"
      ? model.components[subject.index]!.controls
      : subject.type === "flow"
        ? model.flows[subject.index]!.controls
        : [];
  const counted = new Set(finding.mitigatedBy.map((u) => u.name));
  const counts = controlCounts(model, rule.meta.id, finding.recommended);
  const candidates = declared.filter((u) => counts(u.name) && !counted.has(u.name));
  if (candidates.length === 0) return out;

  let draft: FindingDraft | undefined;
  const key = finding.key ?? "";
  try {
    rule.check({
      model,
      graph,
      facts,
      report: (d) => {
        if (!draft && sameSubject(d.subject, subject) && (d.key ?? "") === key) draft = d;
      },
    });
  } catch {
    // The analysis reported the failure already (AT4002); nothing more to say here.
  }
  // A finding is made from a draft; none found would be a check that reports differently twice.
  if (!draft) return out;
  const points: readonly ControlPoint[] = draft.controlPoints ?? [subject];
  const here = points.filter((p) => sameSubject(p, subject));
  // The tools on the finding's path that state their own approval (what an exception stands for).
  // Where the subject's point names them (`replacedBy`: the reach actually replaced, which the path
  // may not show), those; else the components on the path.
  const stating: { readonly name: string; readonly approval: string }[] = [];
  const named = here.find((p) => p.replacedBy !== undefined)?.replacedBy;
  const statingAt = named
    ? named
    : points.filter((p) => p.type === "component" && !sameSubject(p, subject)).map((p) => p.index);
  for (const v of statingAt) {
    const c = model.components[v]!;
    const approval = c.kind === "tool" || c.kind === "mcp_server" ? c.props.approval : undefined;
    if (approval !== undefined && !stating.some((s) => s.name === c.name))
      stating.push({ name: c.name, approval });
  }
  for (const use of candidates) {
    if (out.has(use.name)) continue;
    const excepted = here.length > 0 && here.every((p) => p.except?.includes(use.name));
    const reason =
      excepted && here.some((p) => p.exceptFor === "delegated")
        ? `\`${finding.subjectName}\`'s approval is the default for its own tool calls, not for those of the agents it delegates to`
        : excepted && here.some((p) => p.exceptFor === "uncalled")
          ? `\`${finding.subjectName}\`'s approval is the default for its own tool calls, and the way out leaves it by no call (an answer, a write or a result it returns)`
          : excepted && stating.length > 0
            ? `${nameList(stating.map((c) => c.name))} ${stating.length === 1 ? "states its" : "state their"} own approval (${[...new Set(stating.map((c) => `\`approval ${c.approval}\``))].join(", ")}), which replaces \`${finding.subjectName}\`'s for calls to ${stating.length === 1 ? "it" : "them"}`
            : excepted
              ? `a tool on the path states its own approval, which replaces \`${finding.subjectName}\`'s`
              : here.length === 0
                ? "this finding counts controls elsewhere on its path"
                : undefined;
    if (reason === undefined) continue;
    // Written in `controls [...]` as well as implied: it is declared.
    const implied = declared.every((u) => u.name !== use.name || u.impliedBy !== undefined);
    out.set(
      use.name,
      implied && use.impliedBy !== undefined ? { reason, impliedBy: use.impliedBy } : { reason },
    );
  }
  return out;
}
