import Foundation
import Testing
@testable import TejidoCrypto

@Suite("Ed25519PublicKey")
struct Ed25519PublicKeyTests {
    @Test("RFC 8032 signatures verify", arguments: RFC8032Vector.all)
    func rfcVerify(_ v: RFC8032Vector) throws {
        let key = try #require(Ed25519PublicKey(bytes: hex(v.publicKey)))
        #expect(key.isValidSignature(hex(v.signature), for: hex(v.message)))
        // The same signature under another RFC key must not verify.
        for other in RFC8032Vector.all where other.name != v.name {
            let otherKey = try #require(Ed25519PublicKey(bytes: hex(other.publicKey)))
            #expect(!otherKey.isValidSignature(hex(v.signature), for: hex(v.message)))
        }
    }

    @Test("Sign then verify round trip")
    func roundTrip() throws {
        let key = try Ed25519PrivateKey()
        for length in [0, 1, 32, 100, 1000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let sig = try key.signature(for: message)
            #expect(key.publicKey.isValidSignature(sig, for: message), "length \(length)")
        }
    }

    @Test("Every flipped bit of the message fails verification")
    func flippedMessageBit() throws {
        let key = try Ed25519PrivateKey(seed: hex(RFC8032Vector.all[2].seed))
        let message = Array("tejido changeset".utf8)
        let sig = try key.signature(for: message)
        #expect(key.publicKey.isValidSignature(sig, for: message))
        for i in 0..<message.count {
            for bit in 0..<8 {
                var m = message
                m[i] ^= 1 << bit
                #expect(!key.publicKey.isValidSignature(sig, for: m), "byte \(i) bit \(bit)")
            }
        }
    }

    @Test("Every flipped bit of the signature fails verification")
    func flippedSignatureBit() throws {
        let key = try Ed25519PrivateKey(seed: hex(RFC8032Vector.all[1].seed))
        let message = Array("tejido changeset".utf8)
        let sig = try key.signature(for: message)
        for i in 0..<64 {
            for bit in 0..<8 {
                var s = sig
                s[i] ^= 1 << bit
                #expect(!key.publicKey.isValidSignature(s, for: message), "byte \(i) bit \(bit)")
            }
        }
    }

    @Test("A signature that is not 64 bytes is false, not an error", arguments: [0, 32, 63, 65, 128])
    func wrongLengthSignature(_ n: Int) throws {
        let v = RFC8032Vector.all[0]
        let key = try #require(Ed25519PublicKey(bytes: hex(v.publicKey)))
        let good = hex(v.signature)
        let sig = n <= 64 ? Array(good.prefix(n)) : good + [UInt8](repeating: 0, count: n - 64)
        #expect(!key.isValidSignature(sig, for: []))
    }

    @Test("A public key that is not 32 bytes is refused", arguments: [0, 31, 33, 64])
    func wrongLengthKey(_ n: Int) {
        #expect(Ed25519PublicKey(bytes: [UInt8](repeating: 9, count: n)) == nil)
    }

    @Test("Keys order bytewise")
    func ordering() throws {
        let a = try #require(Ed25519PublicKey(bytes: hex(RFC8032Vector.all[1].publicKey)))  // 3d40...
        let b = try #require(Ed25519PublicKey(bytes: hex(RFC8032Vector.all[0].publicKey)))  // d75a...
        #expect(a < b)
        #expect(!(b < a))
        #expect(!(a < a))
    }

    /// C2SP Wycheproof ed25519_test.json: the strict verifier must agree with `result` on every case.
    @Test("All 151 Wycheproof cases give the expected answer")
    func wycheproof() throws {
        let root = try #require(try loadSharedJSON("ed25519/wycheproof_ed25519_test.json") as? [String: Any])
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        var cases = 0
        var valid = 0
        for group in groups {
            let pkInfo = try #require(group["publicKey"] as? [String: Any])
            let pkHex = try #require(pkInfo["pk"] as? String)
            let key = Ed25519PublicKey(bytes: hex(pkHex))
            let tests = try #require(group["tests"] as? [[String: Any]])
            for t in tests {
                cases += 1
                let id = try #require(t["tcId"] as? Int)
                let msg = try #require(t["msg"] as? String)
                let sig = try #require(t["sig"] as? String)
                let result = try #require(t["result"] as? String)
                let expected = result == "valid"
                if expected { valid += 1 }
                let got = key?.isValidSignature(hex(sig), for: hex(msg)) ?? false
                #expect(got == expected, "Wycheproof tcId \(id) (\(t["comment"] ?? "")): expected \(result)")
            }
        }
        #expect(cases == 151)
        #expect(valid == 88)
    }
}
