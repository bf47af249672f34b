"""The tally: what was collected (ballots, marks, the board's paper sheets), the rules that
read it (validity, totals), its seal and the recount against the seal.

Voting feeds it (a cast ballot, a paper ballot keyed by the board, the close that seals);
counting asks it (recount, balances) and never reads ballots itself. It knows conferences
(the people on the ballot) and nothing above them."""
