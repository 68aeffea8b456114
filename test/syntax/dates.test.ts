/** Days written another way than YYYY-MM-DD (src/syntax/dates.ts), read back for a hint. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dayOf, eitherDay, meantDate } from "../../src/syntax/dates.js";
import { frontEndOf } from "../helpers/compile.js";

test("a day in other words or another order is read back when certain", () => {
  assert.is(dayOf("31/03/2027"), "2027-03-31");
  assert.is(dayOf("2027/3/31"), "2027-03-31");
  assert.is(dayOf(" 31.03.2027 "), "2027-03-31");
  assert.is(dayOf("31 March 2027"), "2027-03-31");
  assert.is(dayOf("March 31, 2027"), "2027-03-31");
  assert.is(dayOf("Mar 31st 2027"), "2027-03-31");
  assert.is(dayOf("1 Sept. 2027"), "2027-09-01");
  assert.is(dayOf("05/05/2027"), "2027-05-05"); // the same either way round
  // Not certain, or not a day at all.
  assert.is(dayOf("01/02/2027"), undefined);
  assert.is(dayOf("31 Ma 2027"), undefined); // `ma` is March or May
  assert.is(dayOf("February 30, 2027"), undefined);
  assert.is(dayOf("next year"), undefined);
  assert.equal(eitherDay("01/02/2027"), ["2027-02-01", "2027-01-02"]);
  assert.is(eitherDay("31/03/2027"), undefined);
  assert.equal(meantDate("01.01.2027"), { iso: "2027-01-01" });
});

test("AT3003 for a date written as something else says what to write", () => {
  const hint = (value: string) =>
    frontEndOf(
      `zone z "Z" { trust internal\n  agent a "A"\n}\naccept AT-33 on a { reason "r" owner "o" expires ${value} }\n`,
    ).diagnostics.find((d) => d.code === "AT3003")?.hint;
  assert.is(
    hint('"next year"'),
    "write the day itself as YYYY-MM-DD, e.g. `2027-03-31`: `next year` would name another day on every run",
  );
  assert.is(hint('"31/03/2027"'), "write the day as YYYY-MM-DD: `2027-03-31`");
  assert.is(
    hint('"01/02/2027"'),
    "write the day as YYYY-MM-DD: `2027-02-01` if the day comes first, `2027-01-02` if the month does",
  );
  assert.is(hint("2027"), "write the day as YYYY-MM-DD, e.g. `2027-12-31` for the end of 2027");
  assert.is(hint("never"), "write the day as YYYY-MM-DD, e.g. `2027-03-31`");
});

test.run();
