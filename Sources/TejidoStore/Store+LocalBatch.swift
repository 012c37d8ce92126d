import Dispatch
import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    /// Many local changesets in one SQLite transaction, for import. Within the transaction this
    /// store is the only writer (BEGIN IMMEDIATE), so each changeset's seq, prev and deps follow
    /// from the feed heads read at the start and the changesets made since; the node's role and
    /// cut-off are read once per namespace from the same authority computation as every other
    /// write, and checked for every changeset. Each
    /// body is hashed here and signed on a second thread while this one merges its ops; the
    /// changeset rows (which hold the signed envelopes) are written before COMMIT.
    final class LocalBatch {
        private unowned let store: Store
        private let signer: Ed25519PrivateKey
        /// Used only on `signing`, a serial queue: one OpenSSL context for the whole import.
        private let signerState: SignerBox
        private let signatures = SignatureSlots()
        private let signing = DispatchQueue(label: "tejido.import.sign")
        private let group = DispatchGroup()
        private var feeds: [Int64: Feed] = [:]
        private var deferred: [Deferred] = []
        /// Changesets built since the last hand-over to the signing thread: slot and id.
        private var toSign: [(Int, ChangesetID)] = []
        private var nextSeqno: Int64 = 1
        private(set) var isOpen = false

        private struct Feed {
            var seq: UInt64
            var prev: ChangesetID?
            let deps: [ChangesetID]
            /// This node's role here, and the last seq it may write (a revocation's cut-off), as
            /// the namespace's authority stood at the batch's first changeset there: nothing in
            /// the batch can change them, since it holds the write lock and makes no authority ops.
            let role: Role
            let cutoff: UInt64?
        }

        private struct Deferred {
            let seqno: Int64
            let id: ChangesetID
            let body: [UInt8]
            let ns: Int64
            let author: Int64
            let seq: UInt64
            let hlc: HLC
            let applied: Int64
        }

        init(store: Store, signer: Ed25519PrivateKey) {
            self.store = store
            self.signer = signer
            signerState = SignerBox(key: signer)
        }

        func begin() throws {
            try store.db.execute("BEGIN IMMEDIATE")
            isOpen = true
            try store.reloadAfterLock()
            feeds.removeAll()
            if case .integer(let max)? = try store.db.scalar("SELECT max(seqno) FROM changesets") { nextSeqno = max + 1 } else { nextSeqno = 1 }
        }

        /// Builds, hashes, queues for signing and merges one changeset; returns its id.
        /// `opsEncoding`, if given, is `ChangesetBody.encode(ops: ops)`, and `columns` the
        /// (collection, field, kind) triples of the ops, both made elsewhere.
        func write(namespace root: [UInt8], nsID: Int64, ops: [Op], opsEncoding: [UInt8]? = nil, columns: [ColumnKey]? = nil) throws -> ChangesetID {
            let author = signer.publicKey.bytes
            let authorID = try store.keyID(author)
            var feed: Feed
            if let f = feeds[nsID] {
                feed = f
            } else {
                var head: UInt64 = 0
                var prev: ChangesetID?
                var deps: [ChangesetID] = []
                let st = try store.statement(Store.feedHeadsSQL)
                st.bind(1, nsID)
                while try st.step() {
                    if st.int64(0) == authorID {
                        head = try st.uint64(1)
                        prev = ChangesetID(bytes: st.blob(2))
                    } else if deps.count < FormatLimits.maxDeps, let d = ChangesetID(bytes: st.blob(2)) {
                        deps.append(d)
                    }
                }
                st.reset()
                try store.checkNoHeldChangesetPastHead(ns: nsID, author: authorID)
                let state = try store.authority(nsID: nsID, root: root)
                let entry = author == root ? nil : state.entries[author]
                feed = Feed(seq: head, prev: prev, deps: deps, role: author == root ? .admin : entry?.role ?? .reader, cutoff: entry?.cutoff)
            }
            // Checked for every changeset, not once per batch: a cut-off can fall inside a batch.
            let needed = Store.requiredRole(for: ops)
            if let cut = feed.cutoff, feed.seq + 1 > cut {
                throw StoreError.revoked(namespace: try store.displayName(nsID: nsID, root: root), after: cut,
                                         admins: try store.adminFingerprints(nsID: nsID, root: root))
            }
            if feed.role < needed {
                throw StoreError.notAuthorized(namespace: try store.displayName(nsID: nsID, root: root), needed: needed,
                                               admins: try store.adminFingerprints(nsID: nsID, root: root))
            }
            // The format's largest seq is Int64.max; only a damaged store holds a head there.
            guard feed.seq < UInt64(Int64.max) else { throw StoreError.corruptStore(path: store.layout.database.path, detail: "this node's feed is at the largest seq") }
            guard ops.count <= FormatLimits.maxOps else {
                throw StoreError.invalidChangeset(.tooManyOps(max: FormatLimits.maxOps))
            }
            store.clock = HLC.next(after: store.clock, nowMilliseconds: store.now())
            // Deps name other feeds' heads; after this feed's first changeset here, prev carries them.
            let body = ChangesetBody(
                network: store.networkID, namespace: root, author: author, seq: feed.seq + 1, prev: feed.prev,
                deps: feed.prev == nil || feeds[nsID] == nil ? feed.deps : [], hlc: store.clock, ops: ops)
            let bytes = body.encoded(opsEncoding: opsEncoding)
            guard bytes.count + 80 <= FormatLimits.maxEnvelopeBytes else {
                throw StoreError.invalidChangeset(.tooLarge(bytes: bytes.count, limit: FormatLimits.maxEnvelopeBytes))
            }
            let id = ChangesetID.of(body: bytes[...])
            toSign.append((deferred.count, id))
            if toSign.count >= Self.signingGroup { sendToSigner() }
            store.nextApplied += 1
            let seqno = nextSeqno
            nextSeqno += 1
            deferred.append(Deferred(
                seqno: seqno, id: id, body: bytes, ns: nsID, author: authorID, seq: body.seq, hlc: body.hlc, applied: store.nextApplied))
            try store.merge(id: id, body: body, seqno: seqno, ns: nsID, author: authorID, columns: columns)
            feed.seq = body.seq
            feed.prev = id
            feeds[nsID] = feed
            return id
        }

        /// Hands the ids waiting for a signature to the signing thread. Ids go in groups: waking
        /// that thread once per changeset cost more than a tenth of this thread's time.
        private func sendToSigner() {
            guard !toSign.isEmpty else { return }
            let work = toSign
            toSign.removeAll(keepingCapacity: true)
            let box = signerState
            let slots = signatures
            signing.async(group: group) {
                for (slot, id) in work {
                    slots.set(slot, (try? box.sign(ChangesetEnvelope.signingPrefix + id.bytes)) ?? [])
                }
            }
        }

        static let signingGroup = 16

        /// Waits for the signatures, writes the changeset rows and commits durably.
        func commit() throws {
            guard isOpen else { return }
            sendToSigner()
            group.wait()
            let st = try store.statement(
                "INSERT INTO changesets(seqno, id, ns, author, seq, hlc, state, applied, reason, envelope) VALUES(?,?,?,?,?,?,?,?,NULL,?)")
            for (slot, d) in deferred.enumerated() {
                let signature = signatures.get(slot)
                guard signature.count == 64 else { throw StoreError.invalidChangeset(.signingFailed) }
                var w = CBORWriter(capacity: d.body.count + 80)
                w.arrayHeader(2)
                w.byteString(d.body)
                w.byteString(signature)
                st.bind(1, d.seqno); st.bind(blob: 2, d.id.bytes); st.bind(3, d.ns); st.bind(4, d.author)
                st.bind(5, Int64(d.seq)); st.bind(6, Int64(bitPattern: d.hlc.rawValue)); st.bind(7, ChangesetState.applied.rawValue)
                st.bind(8, d.applied); st.bind(blob: 9, w.bytes)
                try st.step()
                st.reset()
            }
            deferred.removeAll(keepingCapacity: true)
            signatures.clear()
            try store.flushPending()
            try store.saveCounters()
            try store.db.execute("COMMIT")
            isOpen = false
        }

        func rollback() {
            toSign.removeAll()
            group.wait()
            deferred.removeAll()
            signatures.clear()
            if isOpen { try? store.db.execute("ROLLBACK") }
            isOpen = false
            store.dropCaches()
        }
    }
}

/// The import's signer, made on first use on the signing queue and only used there.
///
/// `@unchecked Sendable`: `signer` is touched only by closures on one serial queue.
final class SignerBox: @unchecked Sendable {
    private let key: Ed25519PrivateKey
    private var signer: Ed25519Signer?

    init(key: Ed25519PrivateKey) {
        self.key = key
    }

    func sign(_ message: [UInt8]) throws -> [UInt8] {
        if signer == nil { signer = try Ed25519Signer(key: key) }
        return try signer!.signature(for: message)
    }
}

/// Signatures made on the signing thread, by slot.
///
/// `@unchecked Sendable`: every access holds the lock.
final class SignatureSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Int: [UInt8]] = [:]

    func set(_ i: Int, _ s: [UInt8]) {
        lock.lock()
        slots[i] = s
        lock.unlock()
    }

    func get(_ i: Int) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return slots[i] ?? []
    }

    func clear() {
        lock.lock()
        slots.removeAll(keepingCapacity: true)
        lock.unlock()
    }
}
