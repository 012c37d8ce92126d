import Testing
import TejidoSync

/// The progress estimate: a peer announces how many changesets it still has to send, any uint,
/// and the estimate made from it must stay a number a display can convert.
@Suite struct SyncStatsTests {
    @Test func anyAnnouncedRemainderGivesAnEstimateThatConverts() {
        var s = SyncStats()
        s.received = 1
        for announced in [Int.max, Int.max - 1, 1 << 62, 0] {
            s.peerRemaining = announced
            let (rate, eta) = s.rateAndETA(elapsed: 10)
            #expect(rate == 0.1)
            #expect(eta >= 0 && eta <= SyncStats.maxETA)
            // What the command line does with them: these would trap on a value past Int64.
            #expect(Int64(eta.rounded(.up)) >= 0 && Int(rate) == 0)
        }
        s.peerRemaining = Int.max
        #expect(s.rateAndETA(elapsed: 10).eta == SyncStats.maxETA)
    }

    @Test func theEstimateFollowsTheRate() {
        var s = SyncStats()
        s.toSend = 300
        s.sent = 100
        s.received = 100
        s.peerRemaining = 200
        let (rate, eta) = s.rateAndETA(elapsed: 4)
        #expect(rate == 50)
        #expect(eta == 8)  // 200 to send and 200 to receive at 50 a second
        #expect(SyncStats().rateAndETA(elapsed: 0).eta == 0)
    }
}
