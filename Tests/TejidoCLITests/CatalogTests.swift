import Foundation
import Testing
@testable import tejido

/// The catalog itself: every message has both languages, with the same placeholders.
@Suite("Message catalog")
struct CatalogTests {
    /// `{0}`, `{1}` ... in a text, as a sorted list (a placeholder may appear twice).
    private static func placeholders(_ text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"\{[0-9]+\}"#)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).map { String(text[Range($0.range, in: text)!]) }.sorted()
    }

    @Test("every message has an English and a Spanish text with the same placeholders")
    func samePlaceholders() {
        for m in Msg.allCases {
            let (en, es) = m.text
            #expect(!en.isEmpty && !es.isEmpty, "\(m)")
            #expect(Set(Self.placeholders(en)) == Set(Self.placeholders(es)), "\(m): \(en) | \(es)")
        }
    }
}
