import ArgumentParser
import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync

struct Peer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peer", abstract: Msg.helpPeer.localized, subcommands: [Add.self, List.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: Msg.helpPeerAdd.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argPeerName.help) var name: String
        @Argument(help: Msg.argPeerURL.help)
        var url: String?
        @Option(name: .long, help: Msg.optPeerKey.help) var key: String?
        @Option(name: .long, help: Msg.optShare.help) var share: String?

        func run() throws {
            try options.withStore { store, console in
                var address: PeerAddress?
                if let url {
                    guard let a = PeerAddress(url) else { throw console.fail(Msg.badURL(url), url, code: Console.usage) }
                    address = a
                }
                var pinned: [UInt8]?
                if let key {
                    guard let k = KeyText.parseKey(key) else { throw StoreError.invalidKey(key) }
                    pinned = k.bytes
                }
                if case .tcp? = address, pinned == nil { throw console.fail(.errTCPNeedsKey, code: Console.usage) }
                if address == nil && pinned == nil { throw console.fail(.errPeerNeedsURLOrKey, code: Console.usage) }
                let shared = share?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                for ns in shared ?? [] { _ = try store.resolveNamespace(ns) }
                // Relative directories are kept absolute: a later sync may run from elsewhere.
                var stored = address?.description ?? ""
                if case .local(let path)? = address { stored = URL(fileURLWithPath: path).standardizedFileURL.path }
                try store.addPeer(name: name, url: stored, key: pinned, share: shared)
                if console.json {
                    console.out(json: .object([
                        ("name", .string(name)), ("url", .string(stored)), ("key", pinned.map { .string(KeyText.key(bytes: $0)) } ?? .null),
                    ]))
                } else {
                    console.out(console.t(.peerAdded, name, stored.isEmpty ? pinned.map { KeyText.fingerprint($0) } ?? "" : stored))
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: Msg.helpPeerList.localized)

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try options.withStore { store, console in
                let peers = try store.peers()
                if console.json {
                    console.out(json: .array(peers.map(PeerJSON.object)))
                    return
                }
                if peers.isEmpty {
                    console.out(console.t(.noPeers))
                    return
                }
                let rows = peers.map { p -> [String] in
                    let key = (p.key ?? p.seenKey).map { KeyText.fingerprint($0) } ?? "-"
                    let last = p.lastSync.map(PeerJSON.time) ?? console.t(.never)
                    return [p.name, p.url, key, last, p.toSend.map(String.init) ?? "?", p.toReceive.map(String.init) ?? "?"]
                }
                console.out(Rendering.table(header: console.t(.peerHeader), rows: rows))
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: Msg.helpPeerRemove.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argExistingPeer.help) var name: String

        func run() throws {
            try options.withStore { store, console in
                try store.removePeer(name: name)
                if console.json {
                    console.out(json: .object([("removed", .string(name))]))
                } else {
                    console.out(console.t(.peerRemoved, name))
                }
            }
        }
    }
}

/// How a peer looks in JSON (peer list and status).
enum PeerJSON {
    static func object(_ p: PeerInfo) -> JSONValue {
        .object([
            ("name", .string(p.name)), ("url", .string(p.url)),
            ("key", p.key.map { .string(KeyText.key(bytes: $0)) } ?? .null),
            ("seen_key", p.seenKey.map { .string(KeyText.key(bytes: $0)) } ?? .null),
            ("share", p.share.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("last_sync", p.lastSync.map { .string(time($0)) } ?? .null),
            ("to_send", p.toSend.map { .int(Int64($0)) } ?? .null), ("to_receive", p.toReceive.map { .int(Int64($0)) } ?? .null),
        ])
    }

    /// Unix milliseconds as an ISO 8601 UTC time.
    static func time(_ ms: UInt64) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
