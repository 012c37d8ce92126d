import TejidoCore
import TejidoCrypto

/// Who holds which role in one namespace, computed from the namespace's grant, revoke and name
/// changesets alone (`protocol/authority.md`). It is a pure function of that set: two stores that
/// hold the same changesets compute the same state, whatever order they arrived in.
struct AuthorityState: Equatable {
    /// A changeset with at least one grant, revoke or name op, as the computation needs it.
    struct Candidate: Equatable {
        let seqno: Int64
        let id: [UInt8]
        let author: [UInt8]
        let seq: UInt64
        let hlc: UInt64
        let ops: [Op]

        /// The canonical order: by stamp (HLC, author key, seq), then id. Honest writers' HLCs
        /// grow along causality, so a revocation an admin wrote after seeing a grant sorts after it.
        static func precedes(_ a: Candidate, _ b: Candidate) -> Bool {
            if a.hlc != b.hlc { return a.hlc < b.hlc }
            if a.author != b.author { return a.author.lexicographicallyPrecedes(b.author) }
            if a.seq != b.seq { return a.seq < b.seq }
            return a.id.lexicographicallyPrecedes(b.id)
        }
    }

    /// What one key holds.
    struct Entry: Equatable {
        /// The highest role granted since the last revocation (nil: never granted).
        var role: Role?
        var grantedBy: [UInt8]?
        var grantSeqno: Int64?
        /// Changesets of the key's feed past this seq do not count.
        var cutoff: UInt64?
        var revokedBy: [UInt8]?
        var revokeSeqno: Int64?
    }

    let root: [UInt8]
    private(set) var entries: [[UInt8]: Entry] = [:]
    /// Seqnos of the candidates that count.
    private(set) var valid: Set<Int64> = []
    /// Why a candidate does not count, by seqno.
    private(set) var rejected: [Int64: String] = [:]
    /// Set by the counted visibility op with the greatest stamp: a private namespace goes only to
    /// nodes whose keys hold a role in it.
    private(set) var isPrivate = false
    /// The stamp of the visibility op that set `isPrivate`. A changeset stopped at a cut-off is
    /// played later, when a grant lifts it, so play order is not stamp order: only a greater stamp
    /// replaces the one in force.
    private var visibilitySetAt: OpStamp?

    /// An op's place in the canonical order: its changeset's (`Candidate.precedes`), then its
    /// index in the changeset.
    struct OpStamp: Equatable {
        let candidate: Candidate
        let op: Int

        func precedes(_ other: OpStamp) -> Bool {
            if Candidate.precedes(candidate, other.candidate) { return true }
            if Candidate.precedes(other.candidate, candidate) { return false }
            return op < other.op
        }
    }

    /// The root and every key some candidate grants admin (counted or not): only these can ever
    /// author a candidate that counts. A candidate by anyone else changes nothing.
    let possibleAdmins: Set<[UInt8]>

    init(root: [UInt8], candidates: [Candidate]) {
        self.root = root
        var admins: Set<[UInt8]> = [root]
        for c in candidates {
            for case .grant(let key, .admin) in c.ops { admins.insert(key) }
        }
        possibleAdmins = admins
        let ordered = candidates.sorted(by: Candidate.precedes)
        var bySeq: [[UInt8]: [UInt64: Int64]] = [:]
        for c in ordered { bySeq[c.author, default: [:]][c.seq] = c.seqno }
        var excluded: Set<Int64> = []
        // Each pass replays the candidates in canonical order, each judged by the state at its
        // turn. A candidate that counted at its turn but lies past a cut-off set later is excluded
        // and the replay starts again. `excluded` only grows, so this ends within |candidates| passes.
        while true {
            entries = [:]
            valid = []
            rejected = [:]
            isPrivate = false
            visibilitySetAt = nil
            var stopped: [[UInt8]: [Candidate]] = [:]
            for c in ordered where !excluded.contains(c.seqno) {
                take(c, bySeq: bySeq, stopped: &stopped)
            }
            let late = ordered.filter { valid.contains($0.seqno) && isPastCutoff(author: $0.author, seq: $0.seq) }
            if late.isEmpty { break }
            excluded.formUnion(late.map(\.seqno))
        }
        // Reasons for the excluded ones, from the final cut-offs.
        for c in ordered where excluded.contains(c.seqno) { rejected[c.seqno] = pastCutoffReason(c.author) }
    }

    /// Judges one candidate at its turn; if it counts, plays its ops. One stopped by its author's
    /// cut-off (or by a prev that does not count) waits in `stopped`: a later grant that lifts the
    /// cut-off plays it then, so that a re-granted key's whole feed counts again.
    private mutating func take(_ c: Candidate, bySeq: [[UInt8]: [UInt64: Int64]], stopped: inout [[UInt8]: [Candidate]]) {
        if let failure = failure(author: c.author, seq: c.seq, needed: .admin) {
            rejected[c.seqno] = failure
            if entries[c.author]?.cutoff != nil { stopped[c.author, default: []].append(c) }
            return
        }
        // An authority changeset whose prev is one too counts only after it.
        if c.seq > 1, let prev = bySeq[c.author]?[c.seq - 1], !valid.contains(prev) {
            rejected[c.seqno] = QuarantineReason.prevDoesNotCount.stored
            stopped[c.author, default: []].append(c)
            return
        }
        rejected[c.seqno] = nil
        valid.insert(c.seqno)
        play(c, bySeq: bySeq, stopped: &stopped)
        // Its successor, if it was stopped only for want of this one (stamps out of seq order).
        if let i = stopped[c.author]?.firstIndex(where: { $0.seq == c.seq + 1 }),
           rejected[stopped[c.author]![i].seqno] == QuarantineReason.prevDoesNotCount.stored {
            let next = stopped[c.author]!.remove(at: i)
            take(next, bySeq: bySeq, stopped: &stopped)
        }
    }

    /// Plays a counted candidate's ops in order. A grant that lifts a key's cut-off takes that
    /// key's stopped candidates at once, before the next op (authority.md, section 3).
    private mutating func play(_ c: Candidate, bySeq: [[UInt8]: [UInt64: Int64]], stopped: inout [[UInt8]: [Candidate]]) {
        for (index, op) in c.ops.enumerated() {
            switch op {
            case .grant(let key, let role):
                guard key != root else { continue }
                var e = entries[key] ?? Entry()
                if e.cutoff != nil {
                    // A grant after a revocation lifts it: the key starts over with this role.
                    entries[key] = Entry(role: role, grantedBy: c.author, grantSeqno: c.seqno)
                    let waiting = (stopped.removeValue(forKey: key) ?? []).sorted { $0.seq < $1.seq }
                    for w in waiting { take(w, bySeq: bySeq, stopped: &stopped) }
                    continue
                } else if e.role.map({ $0 < role }) ?? true {
                    e.role = role
                    e.grantedBy = c.author
                    e.grantSeqno = c.seqno
                }
                entries[key] = e
            case .revoke(let key, let after):
                guard key != root else { continue }
                var e = entries[key] ?? Entry()
                if e.cutoff.map({ after < $0 }) ?? true {
                    e.cutoff = after
                    e.revokedBy = c.author
                    e.revokeSeqno = c.seqno
                }
                entries[key] = e
            case .visibility(let p):
                let stamp = OpStamp(candidate: c, op: index)
                if visibilitySetAt.map({ $0.precedes(stamp) }) ?? true {
                    isPrivate = p
                    visibilitySetAt = stamp
                }
            default:
                continue
            }
        }
    }

    private func isPastCutoff(author: [UInt8], seq: UInt64) -> Bool {
        guard author != root, let cut = entries[author]?.cutoff else { return false }
        return seq > cut
    }

    private func pastCutoffReason(_ author: [UInt8]) -> String {
        QuarantineReason.revoked(cutoff: entries[author]?.cutoff, by: entries[author]?.revokedBy.map(KeyText.fingerprint)).stored
    }

    /// Nil if `author` may write changeset `seq` of its feed needing `needed`, else the reason.
    func failure(author: [UInt8], seq: UInt64, needed: Role) -> String? {
        if author == root { return nil }
        guard let e = entries[author], let held = e.role else {
            if let cut = entries[author]?.cutoff, seq > cut { return pastCutoffReason(author) }
            return QuarantineReason.noRole.stored
        }
        if let cut = e.cutoff, seq > cut { return pastCutoffReason(author) }
        if held < needed { return QuarantineReason.roleTooLow(held: held, needed: needed).stored }
        return nil
    }

    /// Nil if the changeset counts, else the reason. `seqno` is the stored row of the changeset:
    /// one holding grant, revoke or name ops counts exactly when the computation accepted it.
    func failure(seqno: Int64, body: ChangesetBody) -> String? {
        failure(seqno: seqno, author: body.author, seq: body.seq, hasAuthorityOps: body.hasAuthorityOps)
    }

    /// The same, from the parts of the body it reads.
    func failure(seqno: Int64, author: [UInt8], seq: UInt64, hasAuthorityOps: Bool) -> String? {
        if hasAuthorityOps {
            if valid.contains(seqno) { return nil }
            return rejected[seqno] ?? failure(author: author, seq: seq, needed: .admin)
                ?? QuarantineReason.notYetAccepted.stored
        }
        return failure(author: author, seq: seq, needed: .writer)
    }

    /// Whether `author` may write data at `seq` (used for local writes, which have no row yet).
    func role(of author: [UInt8], at seq: UInt64) -> Role? {
        if author == root { return .admin }
        guard let e = entries[author], let r = e.role else { return nil }
        if let cut = e.cutoff, seq > cut { return nil }
        return r
    }

    /// Whether a node key may receive this namespace: always when it is public; when private, the
    /// root and keys that hold a role with no cut-off.
    func mayReceive(_ key: [UInt8]) -> Bool {
        guard isPrivate, key != root else { return true }
        guard let e = entries[key] else { return false }
        return e.role != nil && e.cutoff == nil
    }

    /// Keys whose permissions are narrower here than in `old`: a lower cut-off, or a lower or lost role.
    func narrowed(from old: AuthorityState) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for (key, before) in old.entries {
            let now = entries[key] ?? Entry()
            let lostRole = (now.role?.rawValue ?? 0) < (before.role?.rawValue ?? 0)
            let cut = now.cutoff.map { c in before.cutoff.map { c < $0 } ?? true } ?? false
            if lostRole || cut { out.append(key) }
        }
        for (key, now) in entries where old.entries[key] == nil && now.cutoff != nil { out.append(key) }
        return out
    }
}
