import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// A peer that speaks the protocol badly, frame by frame, against a real server session. Each
/// case: a clear error, the session ends, the server's store is unchanged.
@Suite struct HostilePeerTests {
    /// Runs a server session over an in-memory link; `script` plays the client with raw frames.
    func againstServer(_ script: (MemoryStream, FrameReader, Store) throws -> Void) throws -> (SyncError?, Bool) {
        try withTemporaryDirectory { dir in
            let serverDir = dir.appendingPathComponent("server")
            let server = try Store.create(at: serverDir)
            _ = try server.createNamespace(name: "grupo")
            _ = try server.put(namespace: "grupo", record: RecordKey(collection: "c", id: "1"), fields: [("v", .int(1))])
            let before = try server.stateDigest()
            let beforeCounts = try server.changesetCounts()
            let client = try Store.create(at: dir.appendingPathComponent("client"), network: server.networkID)
            let (a, b) = MemoryStream.pair()
            let result = SyncHarness.serve(serverDir) { b }
            try script(a, FrameReader(a), client)
            a.close()
            let serverError = result().error
            let unchanged = try server.stateDigest() == before && server.changesetCounts() == beforeCounts
            return (serverError, unchanged)
        }
    }

    func hello(_ client: Store, version: UInt64 = 1) -> [UInt8] {
        FrameWriter.frame(SyncMessage.hello(.init(network: client.networkID, nodeKey: client.nodeKey.publicKey.bytes, sends: true, receives: true)).encoded())
    }

    /// Reads frames until the server's error message; returns its code.
    func errorCode(_ reader: FrameReader) -> UInt64? {
        while let payload = try? reader.next() {
            if case .error(let code, _)? = try? SyncMessage.decode(payload) { return code }
        }
        return nil
    }

    @Test func unknownMessageType() throws {
        let (error, unchanged) = try againstServer { link, reader, client in
            try link.write(hello(client))
            var w = CBORWriter()
            w.arrayHeader(1); w.unsigned(42)
            try link.write(FrameWriter.frame(w.bytes))
            #expect(errorCode(reader) == SyncError.Code.unknownMessage.rawValue)
        }
        #expect(error?.code == .unknownMessage)
        #expect(unchanged)
    }

    @Test func oversizedFrame() throws {
        let (error, unchanged) = try againstServer { link, reader, _ in
            try link.write([0xff, 0xff, 0xff, 0xff, 0x00])
            #expect(errorCode(reader) == SyncError.Code.frameTooLarge.rawValue)
        }
        #expect(error?.code == .frameTooLarge)
        #expect(unchanged)
    }

    @Test func malformedFrames() throws {
        // Not CBOR, trailing bytes, a hello with a short network id, indefinite length.
        let payloads: [[UInt8]] = [[0xff, 0x00, 0x13], [0x82, 0x05, 0x00, 0x00], [0x85, 0x00, 0x01, 0x41, 0x00, 0x41, 0x00, 0x03], [0x9f, 0x05, 0xff]]
        for p in payloads {
            let (error, unchanged) = try againstServer { link, reader, _ in
                try link.write(FrameWriter.frame(p))
                #expect(errorCode(reader) == SyncError.Code.malformedFrame.rawValue)
            }
            #expect(error?.code == .malformedFrame)
            #expect(unchanged)
        }
    }

    @Test func messagesOutOfOrder() throws {
        let (error, unchanged) = try againstServer { link, reader, _ in
            try link.write(FrameWriter.frame(SyncMessage.done(sent: 0).encoded()))
            #expect(errorCode(reader) == SyncError.Code.unexpectedMessage.rawValue)
        }
        #expect(error?.code == .unexpectedMessage)
        #expect(unchanged)
    }

    @Test func anotherProtocolVersion() throws {
        let (error, unchanged) = try againstServer { link, reader, client in
            var w = CBORWriter()
            w.arrayHeader(5); w.unsigned(0); w.unsigned(7); w.byteString(client.networkID); w.byteString(client.nodeKey.publicKey.bytes); w.unsigned(3)
            try link.write(FrameWriter.frame(w.bytes))
            #expect(errorCode(reader) == SyncError.Code.unsupportedVersion.rawValue)
        }
        #expect(error?.code == .unsupportedVersion)
        #expect(unchanged)
    }

    @Test func changesetsThatFailVerificationAreNotApplied() throws {
        let (error, unchanged) = try againstServer { link, reader, client in
            // A real namespace of the client's, then one envelope with a flipped signature bit.
            _ = try client.createNamespace(name: "mio")
            _ = try client.put(namespace: "mio", record: RecordKey(collection: "c", id: "x"), fields: [("v", .int(2))])
            var envelopes: [[UInt8]] = []
            try client.forEachEnvelope { envelopes.append($0) }
            envelopes[1][envelopes[1].count - 1] ^= 1
            try link.write(hello(client))
            let mine = try client.namespaceDigests()
            try link.write(FrameWriter.frame(SyncMessage.digests(mine).encoded()))
            // The server's hello and digests: every namespace differs (each side has its own).
            var theirs: [NamespaceDigest] = []
            while theirs.isEmpty, let payload = try reader.next() {
                if case .digests(let list) = try SyncMessage.decode(payload) { theirs = list }
            }
            // This side's heads for each differing namespace, so the server expects the batch.
            for ns in (mine + theirs).map(\.namespace).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                try link.write(FrameWriter.frame(SyncMessage.heads(namespace: ns, heads: try client.feedHeads(namespace: ns), final: true).encoded()))
            }
            try link.write(FrameWriter.frame(SyncMessage.changesets(envelopes, remaining: 0).encoded()))
            #expect(errorCode(reader) == SyncError.Code.invalidChangeset.rawValue)
        }
        #expect(error?.code == .invalidChangeset)
        #expect(unchanged)
    }
}
