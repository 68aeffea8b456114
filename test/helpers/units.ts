import { UnitReader, type FileUnit } from "../../src/semantic/unit.js";

/** Every section of a unit read back as plain data, in the order the reader lists them. */
export function unitSections(unit: FileUnit) {
  const read = <T>(r: UnitReader, next: (r: UnitReader) => T): T[] =>
    Array.from({ length: r.count }, () => next(r));
  return {
    decls: read(UnitReader.decls(unit), (r) => r.decl()),
    systems: read(UnitReader.systems(unit), (r) => r.system()),
    zones: read(UnitReader.zones(unit), (r) => r.zone()),
    data: read(UnitReader.data(unit), (r) => r.data()),
    controls: read(UnitReader.controls(unit), (r) => r.control()),
    components: read(UnitReader.components(unit), (r) => r.component()),
    flows: read(UnitReader.flows(unit), (r) => r.flow()),
    assets: read(UnitReader.assets(unit), (r) => r.asset()),
    accepts: read(UnitReader.accepts(unit), (r) => r.accept()),
    imports: read(UnitReader.imports(unit), (r) => r.import()),
  };
}
