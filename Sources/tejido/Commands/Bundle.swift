import ArgumentParser
import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync

struct Bundle: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bundle", abstract: Msg.helpBundle.localized, subcommands: [Create.self, Apply.self, Inspect.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: Msg.helpBundleCreate.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argBundleOut.help) var file: String
        @Option(name: .long, help: Msg.optBundleFor.help) var `for`: String?
        @Option(name: .long, help: Msg.optBundleNamespace.help) var namespace: [String] = []

        func run() throws {
            try options.withStore { store, console in
                var namespaces: [[UInt8]]
                let names = namespace.flatMap { $0.split(separator: ",").map(String.init) }
                if names.isEmpty {
                    namespaces = try store.heldNamespaces()
                } else {
                    namespaces = try names.map { try store.resolveNamespace($0).root }
                }
                var forKey: [UInt8]?
                var theirHeads: [[UInt8]: [FeedHead]] = [:]
                if let target = self.for {
                    if let peer = try store.peer(named: target) {
                        forKey = peer.key ?? peer.seenKey
                        if let allowed = try store.sharedNamespaces(forPeer: target) {
                            namespaces = namespaces.filter { allowed.contains($0) }
                        }
                    } else if let k = KeyText.parseKey(target) {
                        forKey = k.bytes
                    } else {
                        throw console.fail(.errNotPeerOrKey, target)
                    }
                    if let forKey {
                        for (ns, feeds) in try store.knownHeads(peer: forKey) {
                            theirHeads[ns] = feeds.map { FeedHead(author: $0.key, seq: $0.value, head: []) }
                        }
                    }
                }
                let progress = SyncProgress(console: console, label: file)
                // Ctrl-C or SIGTERM: the unfinished file is removed before the process ends, so
                // that no partial FILE.part is left on the disk or the stick. (Stopped before the
                // file was begun, or after it was complete, it says nothing, as before.)
                let file = self.file
                StopSignal.watch { [console] in
                    if OutputFile.removeUnfinished() {
                        console.endProgress()
                        console.report(.errBundleStopped, [file])
                    }
                    _exit(130)
                }
                let result: BundleWriter.Result
                do {
                    result = try BundleWriter.write(store: store, to: file, namespaces: namespaces, theirHeads: theirHeads, forKey: forKey) {
                        progress.update($0)
                    }
                } catch let e as StreamError {
                    throw console.fail(.errCannotWrite, file, DetailText.text(e, console))
                } catch let e as CocoaError {
                    throw console.fail(.errCannotWrite, file, Console.reason(e))
                }
                progress.finish()
                if console.json {
                    console.out(json: .object([
                        ("file", .string(file)), ("changesets", .int(Int64(result.count))), ("bytes", .int(Int64(result.bytes))),
                        ("namespaces", .int(Int64(result.namespaces))),
                    ]))
                } else {
                    console.out(console.t(.bundleCreated, file, String(result.count), String(result.bytes)))
                }
            }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "apply", abstract: Msg.helpBundleApply.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argBundleIn.help) var file: String
        @Option(name: .long, help: Msg.optReceipt.help) var receipt: String?

        func run() throws {
            try options.withStore { store, console in
                // Before anything is applied: a receipt that cannot be written there is no receipt.
                if let receipt { try store.refuseOwnFile(receipt) }
                let progress = SyncProgress(console: console, label: file)
                // Ctrl-C or SIGTERM: what is committed stays (the batch in progress rolls back
                // when the store is next opened); first say so, and how to go on.
                let file = self.file
                StopSignal.watch { [console] in
                    console.endProgress()
                    console.report(.errBundleApplyStopped, [file])
                    _exit(130)
                }
                let result: BundleApplier.Result
                do {
                    result = try BundleApplier.apply(path: file, to: store) { progress.update($0) }
                } catch BundleApplier.Failure.notABundle(let kind) {
                    throw console.fail(.errBundle, file, DetailText.text(kind, console))
                } catch BundleApplier.Failure.wrongNetwork {
                    throw console.fail(.errBundleWrongNetwork, file)
                } catch BundleApplier.Failure.sameNode {
                    throw console.fail(.errBundleSameNode, file)
                } catch BundleApplier.Failure.sameNodeNotAFile {
                    throw console.fail(.errBundleSameNodeNotAFile, file)
                } catch let e as StreamError {
                    throw console.fail(.errBundle, file, DetailText.text(e, console))
                }
                progress.finish()
                // The receipt is written before anything is printed, so that the output never names
                // a receipt that is not there.
                var receiptFailure: [String]?
                var receiptWritten = false
                if let receipt, result.header != nil, result.damage == nil {
                    do {
                        try BundleWriter.writeReceipt(store: store, to: receipt, namespaces: result.header?.namespaces ?? [],
                                                      recipient: result.header?.creator)
                        receiptWritten = true
                    } catch let e as StreamError {
                        receiptFailure = [receipt, DetailText.text(e, console)]
                    } catch {
                        receiptFailure = [receipt, Console.reason(error)]
                    }
                }
                if let r = result.receipt {
                    if console.json {
                        console.out(json: .object([
                            ("receipt", .string(file)), ("holder", .string(KeyText.key(bytes: r.holder))), ("ok", .bool(result.damage == nil)),
                        ]))
                    } else if result.damage == nil {
                        console.out(console.t(.receiptApplied, KeyText.fingerprint(r.holder), file))
                    }
                } else {
                    // As the changesets stand now: one that waited for another further on in the
                    // bundle was applied when that one came.
                    let o = (try? store.settled(result.outcome)) ?? result.outcome
                    if console.json {
                        var fields: [(String, JSONValue)] = [
                            ("file", .string(file)), ("ok", .bool(result.damage == nil)), ("read", .int(Int64(result.read))),
                            ("applied", .int(Int64(o.applied))), ("duplicates", .int(Int64(o.duplicates))),
                            ("pending", .int(Int64(o.pending))), ("quarantined", .int(Int64(o.quarantined))),
                            ("complete", .bool(result.complete)),
                        ]
                        if let d = result.damage {
                            fields.append(("damage", .object([("offset", .int(Int64(d.offset))), ("detail", .string(d.detail))])))
                        }
                        if let receipt, receiptWritten { fields.append(("receipt", .string(receipt))) }
                        console.out(json: .object(fields))
                    } else {
                        console.out(console.t(.bundleApplied, file, String(result.read), String(o.applied), String(o.duplicates),
                                              String(o.pending), String(o.quarantined)))
                    }
                }
                if let d = result.damage {
                    console.report(result.outcome.count == 0 ? .bundleDamagedNothing : .bundleDamaged, [String(d.offset), DetailText.text(d.kind, console)])
                    throw Console.failure
                }
                if let receiptFailure {
                    console.report(.errCannotWrite, receiptFailure)
                    throw Console.failure
                }
                if let receipt, receiptWritten, !console.json { console.out(console.t(.receiptWritten, receipt)) }
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inspect", abstract: Msg.helpBundleInspect.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argBundleFile.help) var file: String

        func run() throws {
            let console = options.console
            try console.guarding {
                let i: BundleApplier.Inspection
                do { i = try BundleApplier.inspect(path: file) } catch BundleApplier.Failure.notABundle(let kind) {
                    throw console.fail(.errBundleUnreadable, file, DetailText.text(kind, console))
                } catch let e as StreamError {
                    throw console.fail(.errBundleUnreadable, file, DetailText.text(e, console))
                }
                let ok = i.damage == nil && i.invalid == 0 && i.complete
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
                if console.json {
                    var fields: [(String, JSONValue)] = [("file", .string(file)), ("ok", .bool(ok))]
                    if let h = i.header {
                        fields += [
                            ("kind", .string("bundle")), ("network", .string(Bech32.encode(prefix: KeyText.networkPrefix, bytes: h.network))),
                            ("creator", .string(KeyText.key(bytes: h.creator))), ("created", .string(PeerJSON.time(h.created))),
                            ("announced", .int(Int64(clamping: h.count))),
                            ("for", h.forKey.map { .string(KeyText.key(bytes: $0)) } ?? .null),
                        ]
                    }
                    func namespaceList(_ ids: [[UInt8]]) -> JSONValue {
                        .array(ids.sorted { $0.lexicographicallyPrecedes($1) }.map { .string(KeyText.namespace(bytes: $0)) })
                    }
                    if let r = i.receipt {
                        // A receipt holds feed heads, not changesets: what its holder has of each namespace.
                        fields += [
                            ("kind", .string("receipt")), ("network", .string(Bech32.encode(prefix: KeyText.networkPrefix, bytes: r.network))),
                            ("holder", .string(KeyText.key(bytes: r.holder))), ("created", .string(PeerJSON.time(r.created))),
                            ("namespaces", namespaceList(Array(r.heads.keys))), ("feeds", .int(Int64(r.heads.values.reduce(0) { $0 + $1.count }))),
                        ]
                    } else {
                        fields += [
                            ("changesets", .int(Int64(i.changesets))), ("invalid", .int(Int64(i.invalid))),
                            ("namespaces", namespaceList(Array(i.namespaces))), ("authors_not_traced_to_root", .int(Int64(i.unaccounted))),
                        ]
                    }
                    fields += [("complete", .bool(i.complete)), ("bytes", .int(Int64(size)))]
                    if let d = i.damage { fields.append(("damage", .object([("offset", .int(Int64(d.offset))), ("detail", .string(d.detail))]))) }
                    console.out(json: .object(fields))
                } else {
                    let who = i.header.map { KeyText.fingerprint($0.creator) } ?? i.receipt.map { KeyText.fingerprint($0.holder) } ?? "?"
                    let when = i.header.map { PeerJSON.time($0.created) } ?? i.receipt.map { PeerJSON.time($0.created) } ?? "?"
                    let verdict = ok ? console.t(.bundleVerdictOK)
                        : i.invalid > 0 ? console.t(.bundleVerdictInvalid, String(i.invalid))
                        : i.trailerMismatch ? console.t(.bundleVerdictTrailer)
                        : (i.damage.map { console.t(.bundleVerdictDamaged, String($0.offset), DetailText.text($0.kind, console)) } ?? console.t(.bundleVerdictTrailer))
                    if let r = i.receipt {
                        let receiptVerdict = ok ? console.t(.receiptVerdictOK) : verdict
                        console.out(console.t(.receiptInspect, who, when, String(r.heads.count), receiptVerdict))
                    } else {
                        console.out(console.t(.bundleInspect, who, when, String(i.changesets), String(i.namespaces.count), String(size), verdict))
                    }
                    if i.unaccounted > 0 { console.out(console.t(.bundleUntraced, String(i.unaccounted))) }
                }
                if !ok { throw Console.failure }
            }
        }
    }
}
