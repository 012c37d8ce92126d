import Testing
@testable import TejidoCrypto

@Suite("Hex")
struct HexTests {
    @Test("Encodes lowercase, two digits per byte")
    func encode() {
        #expect(Hex.encode([0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]) == "00017f80abff")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([UInt8](0...255)).count == 512)
    }

    @Test("Decodes either case and round trips every byte")
    func decode() {
        #expect(Hex.decode("00017F80abFF") == [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff])
        #expect(Hex.decode("") == [])
        let all = [UInt8](0...255)
        #expect(Hex.decode(Hex.encode(all)) == all)
    }

    @Test("Refuses odd length and non-hex characters", arguments: ["0", "abc", "0g", "zz", " 00", "0x00", "é0"])
    func refuses(_ text: String) {
        #expect(Hex.decode(text) == nil)
    }
}
