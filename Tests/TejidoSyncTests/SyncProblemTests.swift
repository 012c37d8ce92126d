import Testing
import TejidoSync

/// A peer's error text is one of this code's English descriptions when the peer runs this code:
/// such texts are recognised (to be said in the user's language), and nothing else is.
@Suite struct SyncProblemTests {
    @Test(arguments: [
        SyncProblem.streamEndedInFrame, .peerClosedEarly, .tooManyOpenFiles, .noThread, .emptyFrame, .emptyMessage, .seqTooLarge,
        .finalNotBoolean, .emptyBatch, .helloKeyMismatch, .clientIsThisNode, .peerIsThisNode, .sessionAlreadyStarted,
        .anotherNetwork, .headsNotAsked, .ackWithoutBatch, .changesetsWhilePeerMayNotSend, .changesetsAgainstDirection,
        .changesetOfAnotherNetwork, .doneWhilePeerMayNotSend, .clientPinsNoKey, .clientPinsAnotherKey,
        .keyNotKnown(key: "tjk1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", policy: "known"),
        .keyNotKnown(key: "tjk1abc", policy: "peers"),
    ])
    func aDescriptionIsReadBack(problem: SyncProblem) {
        #expect(SyncProblem(peerText: problem.description) == problem)
    }

    @Test(arguments: [
        "", "something else went wrong", "this server does not know the key  (policy: known)",
        "this server does not know the key tjk1abc (policy: everyone)", "this server does not know the key a b (policy: any)",
        "this server does not know the key tjk1abc (policy: known", "the stream ended inside a frame ",
    ])
    func anyOtherTextIsNot(text: String) {
        #expect(SyncProblem(peerText: text) == nil)
    }
}
