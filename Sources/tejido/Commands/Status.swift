import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: Msg.helpStatus.localized)

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.withStore { store, console in
            let digest = Hex.encode(try store.stateDigest())
            let counts = try store.changesetCounts()
            let namespaces = try store.namespaces()
            let peers = try store.peers()
            let flags = try store.clockFlags()
            let held = try store.quarantined()
            let key = store.nodeKey.publicKey
            if console.json {
                console.out(json: .object([
                    ("network", .string(store.networkIDText)), ("key", .string(KeyText.key(key))),
                    ("fingerprint", .string(KeyText.fingerprint(key.bytes))), ("digest", .string(digest)),
                    ("applied", .int(Int64(counts.applied))), ("pending", .int(Int64(counts.pending))),
                    ("quarantined", .int(Int64(counts.quarantined))),
                    ("namespaces", .array(namespaces.map { ns in
                        .object([
                            ("namespace", .string(ns.idText)), ("name", ns.name.map(JSONValue.string) ?? .null),
                            ("changesets", .int(Int64(ns.changesets))), ("records", .int(Int64(ns.records))),
                        ])
                    })),
                    ("peers", .array(peers.map(PeerJSON.object))),
                    ("clock_flags", .array(flags.map(ClockFlagRendering.json))),
                    ("quarantined_changesets", .array(held.map(HeldRendering.json))),
                ]))
                return
            }
            console.out(console.t(.statusNetwork, store.networkIDText, KeyText.key(key), KeyText.fingerprint(key.bytes)))
            console.out(console.t(.statusDigest, digest))
            console.out(console.t(.statusCounts, String(counts.applied), String(counts.pending), String(counts.quarantined)))
            if !namespaces.isEmpty {
                console.out(console.t(.statusNamespaces))
                let table = Rendering.table(
                    header: console.t(.statusNamespacesHeader), rows: namespaces.map { [$0.name ?? "-", $0.idText, String($0.changesets), String($0.records)] })
                for line in table.split(separator: "\n") { console.out("  " + line) }
            }
            for line in ClockFlagRendering.lines(flags, console: console) { console.out(line) }
            for line in HeldRendering.lines(held, console: console) { console.out(line) }
            if !peers.isEmpty {
                console.out(console.t(.statusPeers))
                let table = Rendering.table(header: console.t(.statusPeersHeader), rows: peers.map { p in
                    [p.name, p.url, p.lastSync.map(PeerJSON.time) ?? console.t(.never), p.toSend.map(String.init) ?? "?", p.toReceive.map(String.init) ?? "?"]
                })
                for line in table.split(separator: "\n") { console.out("  " + line) }
            }
        }
    }
}
