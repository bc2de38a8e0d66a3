// Checks that every public top-level declaration of SiamRPN (from its symbol graph) is listed in
// the DocC catalog's topics (Sources/SiamRPN/SiamRPN.docc/SiamRPN.md), and that the catalog lists
// nothing that is not public. Usage: swift scripts/check-docs.swift SYMBOL_GRAPH_JSON CATALOG_MD
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else { print("usage: check-docs.swift SiamRPN.symbols.json SiamRPN.md"); exit(2) }
let graph = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: arguments[1]))) as! [String: Any]
var declared = Set<String>()
for symbol in graph["symbols"] as! [[String: Any]] where symbol["accessLevel"] as? String == "public" {
    let path = symbol["pathComponents"] as! [String]
    if path.count == 1 { declared.insert(String(path[0].prefix { $0 != "(" })) }
}
let catalog = try String(contentsOf: URL(fileURLWithPath: arguments[2]), encoding: .utf8)
var listed = Set<String>()
for part in catalog.components(separatedBy: "``").enumerated() where part.offset % 2 == 1 {
    let name = String(part.element.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    if name != "SiamRPN" { listed.insert(name) }
}
let missing = declared.subtracting(listed).sorted(), extra = listed.subtracting(declared).sorted()
if !missing.isEmpty { print("public but not in the catalog's topics: \(missing.joined(separator: ", "))") }
if !extra.isEmpty { print("in the catalog but not public: \(extra.joined(separator: ", "))") }
if missing.isEmpty && extra.isEmpty { print("docs: all \(declared.count) public declarations of SiamRPN are in the catalog") }
exit(missing.isEmpty && extra.isEmpty ? 0 : 1)
