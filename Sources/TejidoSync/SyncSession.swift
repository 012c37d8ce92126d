import Foundation
import TejidoCore
import TejidoStore

/// The sync protocol as a state machine, with no I/O: messages in, messages out
/// (protocol/sync.md). A runner moves the frames; the replica is the store on this side.
///
/// Order of a session: the client sends hello and its digests; the server answers hello, then,
/// having read the client's digests, its own; each side sends the full heads of every namespace
/// whose digests differ when the peer will send it changesets (the client first, the server after
/// reading the client's); then the client sends what the server lacks, batch by batch, each
/// acknowledged once committed, and `done`; then the server does the same the other way.
public final class SyncSession {
    public enum Role: Sendable { case client, server }

    public struct Options: Sendable {
        /// Whether this side sends changesets / takes them in.
        public var sends = true
        public var receives = true
        public var batchCount = 1_000
        /// Envelope bytes per batch: where it starts and how far it adapts (`BatchSizer`).
        public var batchBytes = BatchSizer()
        /// Seconds on a monotonic clock, for adapting batch sizes (tests fix it).
        public var clock: @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }
        /// For a client: the server's key as its TLS certificate proved it. A client writes its
        /// digests before it reads the server's hello, so only with this does it offer what is for
        /// that key alone (private namespaces, share lists). The hello must then carry this key (`checkPeer`).
        public var expectedPeer: [UInt8]?

        public init(sends: Bool = true, receives: Bool = true, expectedPeer: [UInt8]? = nil) {
            self.sends = sends
            self.receives = receives
            self.expectedPeer = expectedPeer
        }
    }

    /// `failed`: the peer ended the session with an error (a session that failed here throws
    /// and is never touched again).
    enum Phase { case idle, awaitHello, awaitDigests, awaitHeads, transfer, finished, failed }

    public let role: Role
    public let options: Options
    private let replica: any SyncReplica
    /// Called with the peer's hello; returns an error to refuse the peer (unknown or wrong key).
    public var checkPeer: (SyncMessage.Hello) -> SyncError? = { _ in nil }

    private var phase = Phase.idle
    public private(set) var peerHello: SyncMessage.Hello?
    public private(set) var stats = SyncStats()
    /// What the peer is known to hold after this session: per namespace, author -> last seq.
    public private(set) var peerHolds: [[UInt8]: [[UInt8]: UInt64]] = [:]
    /// Namespaces whose entry in `peerHolds` is a complete list (the peer's own heads, or this
    /// side's heads checked against equal digests): they replace what was known before.
    public private(set) var exactNamespaces: Set<[UInt8]> = []

    private var myDigests: [NamespaceDigest] = []
    /// The heads `myDigests` were computed from.
    private var myHeadsByNamespace: [[UInt8]: [FeedHead]] = [:]
    private var differing: [[UInt8]] = []
    private var differingSet: Set<[UInt8]> = []
    private var headsReceived = 0
    private var theirHeads: [[UInt8]: [FeedHead]] = [:]
    private var headsDone: Set<[UInt8]> = []
    private var iSend = false
    private var iReceive = false
    private var sending = false
    private var sentDone = false
    private var peerDone = false
    private var inFlight: [OutgoingChangeset] = []
    /// When the batch in flight went out, on `options.clock`.
    private var inFlightSince: Double = 0
    private var batchSizer: BatchSizer
    /// The batch after the one in flight, read while the peer commits.
    private var prefetched: Result<[OutgoingChangeset], SyncError>?

    public init(role: Role, replica: any SyncReplica, options: Options = Options()) {
        self.role = role
        self.replica = replica
        self.options = options
        self.batchSizer = options.batchBytes
    }

    /// The session ended as the protocol says it ends (not by an error from either side).
    public var isFinished: Bool { phase == .finished }

    /// The messages that open the session: the client's hello and digests; nothing for a server.
    public func start() throws(SyncError) -> [SyncMessage] {
        guard phase == .idle else { throw SyncError(.unexpectedMessage, .sessionAlreadyStarted) }
        phase = .awaitHello
        guard role == .client else { return [] }
        try loadOffered(for: options.expectedPeer ?? [])
        return [.hello(myHello), .digests(myDigests)]
    }

    private var myHello: SyncMessage.Hello {
        SyncMessage.Hello(network: replica.networkID, nodeKey: replica.nodePublicKey, sends: options.sends, receives: options.receives)
    }

    /// Takes one message from the peer and returns the messages to send in reply.
    public func handle(_ message: SyncMessage) throws(SyncError) -> [SyncMessage] {
        if case .error(let code, let text) = message {
            phase = .failed
            throw SyncError(SyncError.Code(rawValue: code) ?? .other, text, fromPeer: true)
        }
        switch (phase, message) {
        case (.awaitHello, .hello(let hello)): return try onHello(hello)
        case (.awaitDigests, .digests(let list)): return try onDigests(list)
        case (.awaitHeads, .heads(let ns, let heads, let final)): return try onHeads(ns, heads, final)
        case (.transfer, .ack(let outcome)): return try onAck(outcome)
        case (.transfer, .changesets(let envelopes, let remaining)): return try onChangesets(envelopes, remaining)
        case (.transfer, .done): return try onDone()
        default:
            throw SyncError(.unexpectedMessage, .messageNotExpected(message.typeCode))
        }
    }

    // MARK: Opening

    private func onHello(_ hello: SyncMessage.Hello) throws(SyncError) -> [SyncMessage] {
        guard hello.version == SyncLimits.version else {
            throw SyncError(.unsupportedVersion, .versionMismatch(peer: hello.version, ours: SyncLimits.version))
        }
        guard hello.network == replica.networkID else { throw SyncError(.wrongNetwork, .anotherNetwork) }
        if let refusal = checkPeer(hello) { throw refusal }
        peerHello = hello
        let (client, server) = role == .client ? (myHello, hello) : (hello, myHello)
        let clientToServer = client.sends && server.receives
        let serverToClient = server.sends && client.receives
        iSend = role == .client ? clientToServer : serverToClient
        iReceive = role == .client ? serverToClient : clientToServer
        phase = .awaitDigests
        guard role == .server else { return [] }
        // The server's digests follow once the client's have arrived: the client writes its
        // digests right after its hello, and two long lists written at once could both block.
        return [.hello(myHello)]
    }

    private func onDigests(_ theirs: [NamespaceDigest]) throws(SyncError) -> [SyncMessage] {
        var reply: [SyncMessage] = []
        if role == .server {
            try loadOffered(for: peerHello?.nodeKey ?? [])
            reply.append(.digests(myDigests))
        }
        return reply + (try compareDigests(theirs))
    }

    private func compareDigests(_ theirs: [NamespaceDigest]) throws(SyncError) -> [SyncMessage] {
        var theirMap: [[UInt8]: [UInt8]] = [:]
        for d in theirs { theirMap[d.namespace] = d.digest }
        let mineMap = Dictionary(myDigests.map { ($0.namespace, $0.digest) }, uniquingKeysWith: { a, _ in a })
        let all = Set(theirMap.keys).union(mineMap.keys)
        differing = all.filter { theirMap[$0] != mineMap[$0] }.sorted { $0.lexicographicallyPrecedes($1) }
        differingSet = Set(differing)
        // Where digests agree, the peer holds exactly the heads this side's digest was made from.
        for d in myDigests where theirMap[d.namespace] == d.digest {
            let heads = myHeadsByNamespace[d.namespace] ?? []
            peerHolds[d.namespace] = Dictionary(heads.map { ($0.author, $0.seq) }, uniquingKeysWith: max)
            exactNamespaces.insert(d.namespace)
        }
        guard !differing.isEmpty else { return try enterTransfer() }
        // This side's heads go to the peer only if the peer will send; the peer's come only if this
        // side will. The server answers with its heads after the client's have arrived, so that
        // only one side writes a long list at a time (two sides writing at once could both block).
        switch role {
        case .client:
            let out = iReceive ? try myHeads() : []
            if iSend {
                phase = .awaitHeads
                return out
            }
            return out + (try enterTransfer())
        case .server:
            if iSend {
                phase = .awaitHeads
                return []
            }
            return (iReceive ? try myHeads() : []) + (try enterTransfer())
        }
    }

    /// The heads of the namespaces this side offers `peer`, and their digests.
    private func loadOffered(for peer: [UInt8]) throws(SyncError) {
        let offered = try storeCall { try replica.offeredHeads(for: peer) }
        myHeadsByNamespace = Dictionary(offered.map { ($0.namespace, $0.heads) }, uniquingKeysWith: { a, _ in a })
        myDigests = offered.map { NamespaceDigest.of(namespace: $0.namespace, heads: $0.heads) }
    }

    /// Heads messages for every differing namespace, long lists split, the last of each final.
    private func myHeads() throws(SyncError) -> [SyncMessage] {
        var out: [SyncMessage] = []
        for ns in differing {
            // A namespace held but not offered is not in this side's digests: its heads come from the store.
            var heads = myHeadsByNamespace[ns] ?? []
            if myHeadsByNamespace[ns] == nil { heads = try storeCall { try replica.heads(namespace: ns) } }
            var chunks = stride(from: 0, to: heads.count, by: SyncLimits.maxHeadsPerMessage).map {
                Array(heads[$0..<min($0 + SyncLimits.maxHeadsPerMessage, heads.count)])
            }
            if chunks.isEmpty { chunks = [[]] }
            for (i, chunk) in chunks.enumerated() { out.append(.heads(namespace: ns, heads: chunk, final: i == chunks.count - 1)) }
        }
        return out
    }

    private func onHeads(_ ns: [UInt8], _ heads: [FeedHead], _ final: Bool) throws(SyncError) -> [SyncMessage] {
        guard differingSet.contains(ns), !headsDone.contains(ns) else {
            throw SyncError(.unexpectedMessage, .headsNotAsked)
        }
        headsReceived += heads.count
        guard headsReceived <= SyncLimits.maxHeadsPerSession else {
            throw SyncError(.malformedFrame, .tooManyHeads(limit: SyncLimits.maxHeadsPerSession))
        }
        theirHeads[ns, default: []] += heads
        if final {
            headsDone.insert(ns)
            peerHolds[ns] = Dictionary(theirHeads[ns]!.map { ($0.author, $0.seq) }, uniquingKeysWith: max)
            exactNamespaces.insert(ns)
        }
        guard headsDone.count == differing.count else { return [] }
        if role == .server && iReceive { return try myHeads() + enterTransfer() }
        return try enterTransfer()
    }

    // MARK: Transfer

    private func enterTransfer() throws(SyncError) -> [SyncMessage] {
        phase = .transfer
        // The client sends first; the server starts once the client is done.
        return role == .client ? try startSending() : []
    }

    private func startSending() throws(SyncError) -> [SyncMessage] {
        sending = true
        guard iSend, !differing.isEmpty else { return finishSending() }
        let (count, bytes) = try storeCall { try replica.startSending(namespaces: differing, theirHeads: theirHeads) }
        stats.toSend = count
        stats.toSendBytes = bytes
        return try nextBatch()
    }

    /// Reads the next batch ahead, while the peer commits the one in flight. The runner calls it
    /// after writing and before waiting; the batch goes out only once the ack has come.
    public func prefetch() {
        guard sending, !inFlight.isEmpty, prefetched == nil else { return }
        prefetched = Result { () throws(SyncError) in
            try storeCall { try replica.nextBatch(maxCount: options.batchCount, maxBytes: batchSizer.target) }
        }
    }

    private func nextBatch() throws(SyncError) -> [SyncMessage] {
        let batch: [OutgoingChangeset]
        if let ahead = prefetched {
            prefetched = nil
            batch = try ahead.get()
        } else {
            batch = try storeCall { try replica.nextBatch(maxCount: options.batchCount, maxBytes: batchSizer.target) }
        }
        guard !batch.isEmpty else { return finishSending() }
        inFlight = batch
        inFlightSince = options.clock()
        stats.written += batch.count
        let remaining = max(0, stats.toSend - stats.sent - batch.count)
        return [.changesets(batch.map(\.envelope), remaining: UInt64(remaining))]
    }

    private func finishSending() -> [SyncMessage] {
        sending = false
        sentDone = true
        // The server speaks second: its done ends the session. The client ends on the server's done.
        if role == .server { phase = .finished }
        return [.done(sent: UInt64(stats.sent))]
    }

    private func onAck(_ outcome: BatchOutcome) throws(SyncError) -> [SyncMessage] {
        guard sending, !inFlight.isEmpty else { throw SyncError(.unexpectedMessage, .ackWithoutBatch) }
        guard outcome.count == inFlight.count else {
            throw SyncError(.malformedFrame, .ackCountMismatch(acked: outcome.count, held: inFlight.count))
        }
        for c in inFlight {
            stats.sent += 1
            stats.sentBytes += c.envelope.count
            if c.seq > peerHolds[c.namespace]?[c.author] ?? 0 { peerHolds[c.namespace, default: [:]][c.author] = c.seq }
        }
        inFlight = []
        batchSizer.acknowledged(after: options.clock() - inFlightSince)
        return try nextBatch()
    }

    /// Whether the peer may be sending now: the client before its done, the server after the client's.
    private var peerSending: Bool {
        guard !peerDone else { return false }
        return role == .server ? true : sentDone
    }

    private func onChangesets(_ envelopes: [[UInt8]], _ remaining: UInt64) throws(SyncError) -> [SyncMessage] {
        guard peerSending else { throw SyncError(.unexpectedMessage, .changesetsWhilePeerMayNotSend) }
        guard iReceive else { throw SyncError(.unexpectedMessage, .changesetsAgainstDirection) }
        let outcome: BatchOutcome
        do {
            outcome = try replica.receive(envelopes: envelopes)
        } catch let e as StoreError {
            switch e {
            case .invalidChangeset(let detail): throw SyncError(.invalidChangeset, .refused(detail))
            case .wrongNetwork: throw SyncError(.invalidChangeset, .changesetOfAnotherNetwork)
            default: throw SyncError.store(e)
            }
        } catch {
            throw SyncError.store(error)
        }
        stats.received += envelopes.count
        stats.receivedBytes += envelopes.reduce(0) { $0 + $1.count }
        stats.peerRemaining = Int(clamping: remaining)
        stats.outcome.add(outcome)
        return [.ack(outcome)]
    }

    private func onDone() throws(SyncError) -> [SyncMessage] {
        guard peerSending else { throw SyncError(.unexpectedMessage, .doneWhilePeerMayNotSend) }
        peerDone = true
        stats.peerRemaining = 0
        if role == .server { return try startSending() }
        phase = .finished
        return []
    }

    private func storeCall<T>(_ body: () throws -> T) throws(SyncError) -> T {
        do { return try body() } catch let e as SyncError { throw e } catch { throw SyncError.store(error) }
    }
}
