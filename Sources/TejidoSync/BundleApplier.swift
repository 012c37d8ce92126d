import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore

/// Applies a bundle file to a store, in batches, each committed on its own: a damaged or cut
/// file still gives every complete, valid changeset before the damage. A receipt file instead
/// records what its holder has.
public enum BundleApplier {
    public struct Result: Sendable {
        public var header: BundleFormat.Header?
        public var receipt: BundleFormat.Receipt?
        public var read = 0
        public var outcome = BatchOutcome()
        public var damage: BundleReader.Damage?
        /// The trailer was read and matched.
        public var complete = false
    }

    public enum Failure: Error, Sendable {
        case notABundle(BundleReader.Damage.Kind)
        case wrongNetwork
        /// Made by a store holding this store's node key (this store, or a copy of it), and
        /// holding a changeset of this node's own feed that differs from the one this store has
        /// at the same seq: applying it would fork that feed, so nothing is applied. A bundle of
        /// this node's that forks nothing (a store restored from a backup taking back what it
        /// wrote since) is applied as any other.
        case sameNode
        /// Made by this node's key, and given as a pipe: the check against this node's own feed
        /// reads the file twice, which a pipe cannot be.
        case sameNodeNotAFile
    }

    public static func apply(path: String, to store: Store, progress: (SyncStats) -> Void = { _ in }) throws -> Result {
        let reader: BundleReader
        do { reader = try BundleReader(path: path) } catch let d as BundleReader.Damage { throw Failure.notABundle(d.kind) }
        defer { reader.close() }
        var result = Result()
        var batch: [[UInt8]] = []
        var offsets: [Int] = []
        var batchBytes = 0
        var stats = SyncStats()

        func flush() throws -> Bool {
            guard !batch.isEmpty else { return true }
            let (outcome, failure) = try store.receivePrefix(envelopes: batch)
            result.outcome.add(outcome)
            stats.received = result.outcome.count
            stats.receivedBytes += batchBytes
            // The header's count is informational and any uint: clamped, never trusted.
            stats.peerRemaining = max(0, Int(clamping: result.header?.count ?? 0) - stats.received)
            stats.wireBytesIn = reader.offset
            progress(stats)
            let failedAt = failure.map { BundleReader.Damage(offset: offsets[$0.index], .invalidChangeset($0.reason)) }
            batch.removeAll(keepingCapacity: true)
            offsets.removeAll(keepingCapacity: true)
            batchBytes = 0
            if let failedAt {
                result.damage = failedAt
                return false
            }
            return true
        }

        while true {
            let item: BundleReader.Item?
            do { item = try reader.next() } catch {
                result.damage = error
                break
            }
            guard let item else { break }
            // The reader enforces the frames' order (one header or receipt first).
            switch item {
            case .header(let h):
                guard h.network == store.networkID else { throw Failure.wrongNetwork }
                if h.creator == store.nodeKey.publicKey.bytes {
                    var st = stat()
                    guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw Failure.sameNodeNotAFile }
                    if try forksOwnFeed(path: path, store: store) { throw Failure.sameNode }
                }
                result.header = h
                continue
            case .receipt(let r):
                guard r.network == store.networkID else { throw Failure.wrongNetwork }
                result.receipt = r
                continue
            case .changeset(let envelope, let offset):
                result.read += 1
                batch.append(envelope)
                offsets.append(offset)
                batchBytes += envelope.count
                if batch.count >= 1_000 || batchBytes >= 1 << 20 {
                    if try !flush() { break }
                }
                continue
            case .trailer(let ok):
                if try !flush() { break }
                if !ok { result.damage = BundleReader.Damage(offset: reader.frameStart, .trailerMismatch) }
                result.complete = ok
                continue
            }
            break
        }
        // Whatever was read before damage in the framing still goes in; an invalid changeset in
        // it is then the first damage.
        let framing = result.damage
        if try flush(), let framing { result.damage = framing }
        if result.header == nil && result.receipt == nil && result.damage == nil {
            result.damage = BundleReader.Damage(offset: 8, .noHeader)
        }
        // Damage anywhere, bytes after the trailer included, means the file is not whole.
        if result.damage != nil { result.complete = false }
        if let receipt = result.receipt, result.complete {
            // A receipt lists everything its holder has of each namespace named in it.
            try store.recordPeer(key: receipt.holder, url: nil, heads: receipt.heads, exact: Set(receipt.heads.keys), sent: 0, received: 0,
                                 completed: false)
        }
        return result
    }

    /// True if the bundle holds a changeset of this node's key that differs from the one this
    /// store holds at the same seq. Reads the file once more (only for bundles this node made);
    /// damage ends the reading here, and the applying pass reports it.
    static func forksOwnFeed(path: String, store: Store) throws -> Bool {
        let reader: BundleReader
        do { reader = try BundleReader(path: path) } catch let d as BundleReader.Damage { throw Failure.notABundle(d.kind) }
        defer { reader.close() }
        let me = store.nodeKey.publicKey.bytes
        let verifier = Ed25519Verifier()
        while let item = try? reader.next() {
            guard case .changeset(let envelope, _) = item,
                  let (id, header) = try? ChangesetEnvelope.checkedHeader(bytes: envelope), header.author == me
            else { continue }
            let held = try store.changesetIDs(namespace: header.namespace, author: me, seq: header.seq)
            // Only a changeset this key really signed forks the feed; a bad one is reported as damage.
            if !held.isEmpty && !held.contains(id)
                && ChangesetEnvelope.hasValidSignature(bytes: envelope, id: id, author: me, using: verifier) { return true }
        }
        return false
    }

    /// What a bundle holds, checked on its own without a store: every envelope's format and
    /// signature, the trailer, and whether each author is its namespace's root or was granted a
    /// role by a grant inside the bundle (tracing grants back to the root).
    public struct Inspection: Sendable {
        public var header: BundleFormat.Header?
        public var receipt: BundleFormat.Receipt?
        public var changesets = 0
        public var invalid = 0
        public var unaccounted = 0
        public var namespaces: Set<[UInt8]> = []
        public var damage: BundleReader.Damage?
        public var complete = false
        /// The trailer was read but its count or digest does not match what came before it.
        public var trailerMismatch = false
    }

    public static func inspect(path: String) throws -> Inspection {
        let reader: BundleReader
        do { reader = try BundleReader(path: path) } catch let d as BundleReader.Damage { throw Failure.notABundle(d.kind) }
        defer { reader.close() }
        var out = Inspection()
        var authors: [([UInt8], [UInt8])] = []  // (namespace, author) of each valid changeset
        var grants: [([UInt8], [UInt8], [UInt8], Role)] = []  // (namespace, granter, grantee, role)
        let verifier = Ed25519Verifier()
        while true {
            let item: BundleReader.Item?
            do { item = try reader.next() } catch {
                out.damage = error
                break
            }
            guard let item else { break }
            // The reader enforces the frames' order, for `apply` and here alike.
            switch item {
            case .header(let h): out.header = h
            case .receipt(let r): out.receipt = r
            case .trailer(let ok):
                out.complete = ok
                out.trailerMismatch = !ok
            case .changeset(let bytes, _):
                out.changesets += 1
                guard let env = try? ChangesetEnvelope(bytes: bytes), env.body.network == out.header?.network,
                    env.hasValidSignature(using: verifier)
                else {
                    out.invalid += 1
                    continue
                }
                out.namespaces.insert(env.body.namespace)
                authors.append((env.body.namespace, env.body.author))
                for case .grant(let grantee, let role) in env.body.ops { grants.append((env.body.namespace, env.body.author, grantee, role)) }
            }
        }
        // Per namespace: admins are the root and whoever an admin made admin; writers are admins
        // and whoever an admin granted writer. (Revocations come with issue 4's rules.)
        // A walk from each root along the admin grants, each grant looked at once: repeating
        // passes until nothing changed took a pass per link of a chain written in reverse order.
        var adminGrants: [[UInt8]: [[UInt8]]] = [:]  // namespace + granter -> namespace + grantee
        for (ns, granter, grantee, role) in grants where role == .admin { adminGrants[ns + granter, default: []].append(ns + grantee) }
        var admins: Set<[UInt8]> = Set(out.namespaces.map { $0 + $0 })
        var work = Array(admins)
        while let next = work.popLast() {
            for grantee in adminGrants[next] ?? [] where admins.insert(grantee).inserted { work.append(grantee) }
        }
        var writers = admins
        for (ns, granter, grantee, role) in grants where role >= .writer && admins.contains(ns + granter) { writers.insert(ns + grantee) }
        out.unaccounted = authors.filter { !writers.contains($0.0 + $0.1) }.count
        return out
    }
}
