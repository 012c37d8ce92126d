import Testing
import TejidoCore
@testable import TejidoStore
import TejidoTestSupport

/// The authority computation alone, on hand-made candidates: the worked examples of
/// protocol/authority.md, and that the input order never matters.
@Suite struct AuthorityStateTests {
    let root = [UInt8](repeating: 1, count: 32)
    let a = [UInt8](repeating: 2, count: 32)
    let b = [UInt8](repeating: 3, count: 32)
    let w = [UInt8](repeating: 4, count: 32)

    /// Candidates are numbered by `seqno` in the order written here.
    final class Builder {
        var list: [AuthorityState.Candidate] = []
        func add(_ author: [UInt8], seq: UInt64, hlc: UInt64, _ ops: [Op]) -> Int64 {
            let seqno = Int64(list.count + 1)
            list.append(.init(seqno: seqno, id: [UInt8](repeating: UInt8(seqno), count: 32), author: author, seq: seq, hlc: hlc, ops: ops))
            return seqno
        }
    }

    /// Computes the state from every rotation and the reverse of the input: all must agree.
    func state(_ b: Builder) -> AuthorityState {
        let first = AuthorityState(root: root, candidates: b.list)
        for shift in 0..<b.list.count {
            let rotated = Array(b.list[shift...] + b.list[..<shift])
            #expect(AuthorityState(root: root, candidates: rotated) == first)
            #expect(AuthorityState(root: root, candidates: rotated.reversed()) == first)
        }
        return first
    }

    @Test func revokingAnAdminVoidsWhatItGrantedPastItsCutoff() {
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: a, role: .admin)])
        let early = c.add(a, seq: 1, hlc: 20, [.grant(key: b, role: .writer)])
        let late = c.add(a, seq: 2, hlc: 30, [.grant(key: w, role: .writer)])
        _ = c.add(root, seq: 2, hlc: 40, [.revoke(key: a, after: 1)])
        let s = state(c)
        #expect(s.valid.contains(early) && !s.valid.contains(late))
        #expect(s.role(of: b, at: 5) == .writer)
        #expect(s.role(of: w, at: 1) == nil)
        #expect(s.failure(author: a, seq: 1, needed: .writer) == nil)
        #expect(s.failure(author: a, seq: 2, needed: .writer)?.hasPrefix("revoked") == true)
    }

    @Test func aGrantStampedBeforeTheRevocationButPastTheCutoffDoesNotCount() {
        // The revoking admin saw only seq 1 of A; A's seq 2 (a grant) carries an earlier stamp.
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: a, role: .admin), .grant(key: b, role: .admin)])
        _ = c.add(a, seq: 1, hlc: 11, [.name("x")])
        let hidden = c.add(a, seq: 2, hlc: 12, [.grant(key: w, role: .admin)])
        _ = c.add(b, seq: 1, hlc: 50, [.revoke(key: a, after: 1)])
        let s = state(c)
        #expect(!s.valid.contains(hidden))
        #expect(s.role(of: w, at: 1) == nil)
    }

    /// A's "public" is stopped by its cut-off and played only when A is granted admin again,
    /// after the root's later "private": the greater stamp still wins (authority.md, section 8).
    @Test func theVisibilityOpWithTheGreatestStampWinsWhateverThePlayOrder() {
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: a, role: .admin)])
        _ = c.add(root, seq: 2, hlc: 20, [.revoke(key: a, after: 0)])
        let makePublic = c.add(a, seq: 1, hlc: 25, [.visibility(isPrivate: false)])
        _ = c.add(root, seq: 3, hlc: 27, [.visibility(isPrivate: true)])
        _ = c.add(root, seq: 4, hlc: 30, [.grant(key: a, role: .admin)])
        let s = state(c)
        #expect(s.valid.contains(makePublic))
        #expect(s.isPrivate)
        #expect(!s.mayReceive(w))

        // And the other way round: a later stamp does replace it.
        _ = c.add(a, seq: 2, hlc: 40, [.visibility(isPrivate: false)])
        #expect(!state(c).isPrivate)
    }

    /// A grant that lifts a cut-off takes the key's stopped changesets before the granting
    /// changeset's next op: A's revocation of J (stopped) is taken at R3's first op, and R3's
    /// second op then gives J a new start.
    @Test func stoppedChangesetsAreTakenRightAfterTheGrantThatLiftsTheCutoff() {
        let c = Builder()
        let j = [UInt8](repeating: 5, count: 32)
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: a, role: .admin), .grant(key: j, role: .writer)])
        _ = c.add(root, seq: 2, hlc: 20, [.revoke(key: a, after: 0)])
        let stoppedRevoke = c.add(a, seq: 1, hlc: 25, [.revoke(key: j, after: 0)])
        _ = c.add(root, seq: 3, hlc: 30, [.grant(key: a, role: .admin), .grant(key: j, role: .writer)])
        let s = state(c)
        #expect(s.valid.contains(stoppedRevoke))
        #expect(s.role(of: j, at: 100) == .writer)
        #expect(s.entries[j]?.cutoff == nil)
    }

    @Test func twoAdminsRevokingEachOtherTheEarlierStampWins() {
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: a, role: .admin), .grant(key: b, role: .admin)])
        // Neither saw the other's revocation: each cuts the other at 0.
        let byA = c.add(a, seq: 1, hlc: 20, [.revoke(key: b, after: 0)])
        let byB = c.add(b, seq: 1, hlc: 21, [.revoke(key: a, after: 0)])
        let s = state(c)
        #expect(s.valid.contains(byA) && !s.valid.contains(byB))
        #expect(s.role(of: a, at: 2) == .admin)
        #expect(s.role(of: b, at: 1) == nil)
        #expect(s.entries[b]?.cutoff == 0)
        #expect(s.entries[a]?.cutoff == nil)
    }

    @Test func aGrantAndARevocationOfOneKeyAreOrderedByStampNotArrival() {
        for grantFirst in [true, false] {
            let c = Builder()
            _ = c.add(root, seq: 1, hlc: 10, [.grant(key: a, role: .admin)])
            _ = c.add(root, seq: 2, hlc: grantFirst ? 20 : 30, [.grant(key: w, role: .writer)])
            _ = c.add(a, seq: 1, hlc: grantFirst ? 30 : 20, [.revoke(key: w, after: 3)])
            let s = state(c)
            if grantFirst {
                // Granted, then revoked: seqs up to 3 count.
                #expect(s.role(of: w, at: 3) == .writer && s.role(of: w, at: 4) == nil)
            } else {
                // Revoked (before any grant), then granted: the later grant lifts the cut-off.
                #expect(s.role(of: w, at: 4) == .writer && s.entries[w]?.cutoff == nil)
            }
        }
    }

    @Test func reGrantingARevokedKeyLiftsTheCutoff() {
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: w, role: .writer)])
        _ = c.add(root, seq: 2, hlc: 20, [.revoke(key: w, after: 2)])
        #expect(state(c).role(of: w, at: 3) == nil)
        _ = c.add(root, seq: 3, hlc: 30, [.grant(key: w, role: .reader)])
        let s = state(c)
        // The key starts over with the new role: reader, so it may not write at any seq.
        #expect(s.entries[w]?.cutoff == nil && s.entries[w]?.role == .reader)
        #expect(s.failure(author: w, seq: 1, needed: .writer)?.hasPrefix("unauthorized: author is reader") == true)
    }

    @Test func theRootCannotBeRevokedAndSeveralCutoffsKeepTheLowest() {
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: a, role: .admin), .grant(key: b, role: .admin), .grant(key: w, role: .writer)])
        _ = c.add(a, seq: 1, hlc: 20, [.revoke(key: root, after: 0), .revoke(key: w, after: 7)])
        _ = c.add(b, seq: 1, hlc: 21, [.revoke(key: w, after: 4)])
        let s = state(c)
        #expect(s.role(of: root, at: 100) == .admin)
        #expect(s.entries[w]?.cutoff == 4)
    }

    @Test func aWriterCannotGrantOrRevoke() {
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: w, role: .writer), .grant(key: a, role: .admin)])
        let bad = c.add(w, seq: 1, hlc: 20, [.revoke(key: a, after: 0)])
        let s = state(c)
        #expect(!s.valid.contains(bad))
        #expect(s.rejected[bad] == "unauthorized: author is writer, needs admin")
        #expect(s.role(of: a, at: 1) == .admin)
    }

    @Test func randomHistoriesGiveOneStateWhateverTheInputOrder() {
        var rng = SeededRandom(seed: 99)
        let keys = (5..<10).map { [UInt8](repeating: UInt8($0), count: 32) }
        for _ in 0..<200 {
            let c = Builder()
            var seqs: [[UInt8]: UInt64] = [:]
            for _ in 0..<rng.int(3..<12) {
                let author = rng.chance(0.3) ? root : keys[rng.int(0..<keys.count)]
                let target = keys[rng.int(0..<keys.count)]
                let op: Op = rng.chance(0.5)
                    ? .grant(key: target, role: Role(rawValue: UInt64(rng.int(1..<4)))!)
                    : .revoke(key: target, after: UInt64(rng.int(0..<4)))
                let seq = (seqs[author] ?? 0) + 1
                seqs[author] = seq
                _ = c.add(author, seq: seq, hlc: UInt64(rng.int(1..<40)), [op])
            }
            var shuffled = c.list
            shuffled.shuffle(using: &rng)
            #expect(AuthorityState(root: root, candidates: shuffled) == AuthorityState(root: root, candidates: c.list))
        }
    }

    @Test func whatARevokedAdminWroteCountsAgainOnceItIsReGranted() {
        // A, not yet aware it was revoked, grants W; then the root grants A again.
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: a, role: .admin)])
        _ = c.add(root, seq: 2, hlc: 20, [.revoke(key: a, after: 0)])
        let meanwhile = c.add(a, seq: 1, hlc: 25, [.grant(key: w, role: .writer)])
        #expect(!state(c).valid.contains(meanwhile))
        _ = c.add(root, seq: 3, hlc: 30, [.grant(key: a, role: .admin)])
        let s = state(c)
        #expect(s.valid.contains(meanwhile))
        #expect(s.role(of: w, at: 1) == .writer)
        #expect(s.role(of: a, at: 2) == .admin)
    }

    @Test func anAuthorityChangesetCountsOnlyAfterItsPrev() {
        // B's seq 2 is stamped before its seq 1 (a lying clock): it still counts, after seq 1.
        let c = Builder()
        _ = c.add(root, seq: 1, hlc: 10, [.grant(key: b, role: .admin)])
        let second = c.add(b, seq: 2, hlc: 15, [.grant(key: w, role: .writer)])
        let first = c.add(b, seq: 1, hlc: 40, [.name("x")])
        let s = state(c)
        #expect(s.valid.contains(first) && s.valid.contains(second))
        // B's seq 1 does not count (B was not yet admin at its stamp): seq 2 does not either.
        let d = Builder()
        let early = d.add(b, seq: 1, hlc: 5, [.name("y")])
        _ = d.add(root, seq: 1, hlc: 10, [.grant(key: b, role: .admin)])
        let later = d.add(b, seq: 2, hlc: 20, [.grant(key: w, role: .writer)])
        let t = state(d)
        #expect(!t.valid.contains(early) && !t.valid.contains(later))
        #expect(t.rejected[later] == "unauthorized: its prev does not count")
    }
}
