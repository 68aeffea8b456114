/**
 * A small model whose free-text values hold everything the export formats must escape: quotes of both
 * kinds, commas, semicolons and pipes (CSV and array delimiters), backslashes, braces (PostgreSQL
 * array syntax), `<`, `&` and `]]>` (XML), new lines, CR, TAB, NUL and other control characters, a
 * leading space, and characters outside the BMP. It also has an entry, a disclosure target with a way
 * out, an invoke (so a result flows back) and a declared control that cuts a step.
 */
export const NASTY_TITLE = `Say "hi", it's; a|b \\ {x} <script>&]]> \u{1F600}`;
export const NASTY_DESCRIPTION = "line one\nline two\r\nthree\tfour \u{0} nul \u{1f} unit";
export const NASTY_TAG = "tag;with|delims";

/** The model text (the `\u{..}` escapes are the language's own). */
export const NASTY_MODEL = String.raw`system "Nasty \"strings\", system" { owner "o'neil" }

data secrets "Secrets; \"all\" of them" {
  classification secret
  crown confidentiality
  regulated ["GDPR; art. 32", "a|b"]
  description "line one\nline two\r\nthree\tfour \u{0} nul \u{1f} unit"
}

zone internet "Internet, <the> \"wild\" one" {
  trust untrusted
  actor visitor "Say \"hi\", it's; a|b \\ {x} <script>&]]> \u{1F600}" {
    role public
    tags ["tag;with|delims", " leading space"]
  }
}

zone inner "Inner & co" {
  trust internal
  endpoint api "API" { exposure public  auth none }
  agent helper "Helper" {
    autonomy step
    controls [spotlighting]
    description "line one\nline two\r\nthree\tfour \u{0} nul \u{1f} unit"
  }
  tool mailer "Mailer" { capabilities [send_external]  approval none }
  store vault "Vault" { type secrets  holds [secrets]  crown [integrity] }
}

flow visitor -> api "ask, \"nicely\"" { kind prompt }
flow api -> helper "forward" { kind prompt }
flow vault -> helper "read; secrets" { kind read  carries [secrets] }
flow helper -> mailer "send" { kind invoke }
flow helper -> vault "write back" { kind write  controls [retrieval_acl] }
`;
