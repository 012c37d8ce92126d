import Testing
import TejidoCore
@testable import TejidoStore

/// The store writes quarantine reasons as text and reads them back as cases: every case must
/// survive the trip, and text it did not write must stay exactly as it was.
@Suite struct QuarantineReasonTests {
    static let cases: [QuarantineReason] = [
        .noRole, .roleTooLow(held: .reader, needed: .writer), .roleTooLow(held: .writer, needed: .admin), .prevDoesNotCount,
        .notYetAccepted, .revoked(cutoff: 4, by: "tj1fp-abcd"), .revoked(cutoff: 0, by: nil), .revoked(cutoff: nil, by: nil),
        .fork(seq: 17), .brokenChain(seq: 2),
    ]

    @Test(arguments: cases) func everyCaseRoundTrips(_ reason: QuarantineReason) {
        #expect(QuarantineReason(stored: reason.stored) == reason)
        #expect(reason.kind != "other")
    }

    @Test func unknownOrAlteredTextStaysAsItWas() {
        for text in ["", "unauthorized: author is boss, needs admin", "fork: at seq x", "revoked: something new",
                     "unauthorized: author holds no role in the namespace.", "waiting for 00ff"] {
            #expect(QuarantineReason(stored: text) == .other(text))
            #expect(QuarantineReason(stored: text).stored == text)
        }
    }

    @Test func theForkTextOfOlderStoresIsStillAFork() {
        #expect(QuarantineReason(stored: "fork: another changeset holds this author's seq 12") == .fork(seq: 12))
        #expect(QuarantineReason(stored: "fork: another changeset holds this author's seq x") == .other("fork: another changeset holds this author's seq x"))
    }

    @Test func onlyForksAndBrokenChainsAreStructural() {
        #expect(Self.cases.filter(\.isStructural).map(\.kind) == ["fork", "broken_chain"])
        #expect(Store.forkReason(3) == QuarantineReason.fork(seq: 3).stored)
    }
}
