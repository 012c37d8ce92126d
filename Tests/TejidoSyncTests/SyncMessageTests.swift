import Foundation
import Testing
import TejidoCore
import TejidoStore
import TejidoSync
import TejidoTestSupport

@Suite struct SyncMessageTests {
    let k: [UInt8] = (0..<32).map { UInt8($0) }
    let j: [UInt8] = (0..<32).map { UInt8(200 - $0) }

    var all: [SyncMessage] {
        var ack = BatchOutcome()
        ack.applied = 3; ack.duplicates = 1; ack.pending = 2; ack.quarantined = 0
        return [
            .hello(.init(network: k, nodeKey: j, sends: true, receives: false)),
            .digests([NamespaceDigest(namespace: k, digest: j, feeds: 7), NamespaceDigest(namespace: j, digest: k, feeds: 0)]),
            .heads(namespace: k, heads: [FeedHead(author: j, seq: 1 << 40, head: k)], final: true),
            .heads(namespace: k, heads: [], final: false),
            .changesets([[1, 2, 3], [4]], remaining: 99),
            .ack(ack),
            .done(sent: 12),
            .error(code: 2, text: "otra red: ñ"),
        ]
    }

    @Test func everyMessageRoundTrips() throws {
        for m in all {
            let bytes = m.encoded()
            #expect(try SyncMessage.decode(bytes) == m)
            // Any strict prefix is malformed, never a different message.
            for cut in [0, 1, bytes.count / 2, bytes.count - 1] where cut < bytes.count {
                #expect(throws: SyncError.self) { _ = try SyncMessage.decode(Array(bytes.prefix(cut))) }
            }
            #expect(throws: SyncError.self) { _ = try SyncMessage.decode(bytes + [0]) }
        }
    }

    @Test func helloFlagsSayWhoSendsAndWhoReceives() {
        let h = SyncMessage.Hello(network: k, nodeKey: j, sends: false, receives: true)
        #expect(!h.sends && h.receives && h.flags == 2)
    }

    @Test func wrongShapesAreMalformedAndUnknownTypesAreNamed() throws {
        var w = CBORWriter()
        w.arrayHeader(2); w.unsigned(0); w.unsigned(1)  // hello with two elements
        #expect(throws: SyncError(.malformedFrame, .elementCount(type: 0, count: 2, expected: 5))) { _ = try SyncMessage.decode(w.bytes) }
        #expect(SyncProblem.elementCount(type: 0, count: 2, expected: 5).description == "message 0 has 2 elements, expected 5")
        var u = CBORWriter()
        u.arrayHeader(1); u.unsigned(15)
        #expect(throws: SyncError(.unknownMessage, .unknownMessageType(15))) { _ = try SyncMessage.decode(u.bytes) }
        var e = CBORWriter()
        e.arrayHeader(3); e.unsigned(3); e.arrayHeader(0); e.unsigned(0)  // an empty batch
        #expect(throws: SyncError.self) { _ = try SyncMessage.decode(e.bytes) }
    }

    @Test func countsAndSeqsAPeerCouldUseToTrapAreMalformed() throws {
        var ack = CBORWriter()
        ack.arrayHeader(5); ack.unsigned(4); ack.unsigned(UInt64(Int64.max)); ack.unsigned(UInt64(Int64.max)); ack.unsigned(0); ack.unsigned(0)
        #expect(throws: SyncError.self) { _ = try SyncMessage.decode(ack.bytes) }
        var heads = CBORWriter()
        heads.arrayHeader(4); heads.unsigned(2); heads.byteString(k); heads.arrayHeader(1)
        heads.arrayHeader(3); heads.byteString(j); heads.unsigned(UInt64.max); heads.byteString(k); heads.bool(true)
        #expect(throws: SyncError.self) { _ = try SyncMessage.decode(heads.bytes) }
    }

    @Test func framesHaveALengthPrefixAndAHardLimit() throws {
        let (a, b) = MemoryStream.pair()
        try a.write(FrameWriter.frame([0x82, 0x05, 0x00]))
        try a.write([0x00, 0x40, 0x00, 0x01])  // 4 MiB + 1
        let reader = FrameReader(b)
        #expect(try reader.next() == [0x82, 0x05, 0x00])
        let tooLarge = SyncError(.frameTooLarge, .frameTooLarge(bytes: 4_194_305, limit: 4_194_304))
        #expect(throws: tooLarge) { _ = try reader.next() }
        // The English that goes to the peer and to logs is the problem's own.
        #expect(tooLarge.detail == "a frame of 4194305 bytes (the limit is 4194304)")
        a.close()
    }

    @Test func aStreamThatEndsInsideAFrameIsACutLink() throws {
        let (a, b) = MemoryStream.pair()
        try a.write([0x00, 0x00, 0x00, 0x09, 0x82])
        a.close()
        #expect(throws: SyncError(.connectionLost, .streamEndedInFrame)) { _ = try FrameReader(b).next() }
        let (c, d) = MemoryStream.pair()
        c.close()
        #expect(try FrameReader(d).next() == nil)
    }
}
