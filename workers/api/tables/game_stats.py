"""Named queries against `game_stats` (one row per game: rounds, staked and paid sums, and the
sums of the expected return and its variance that the RTP checks weigh)."""

from __future__ import annotations

from infra.ports import Database, Row


async def of_game(db: Database, game_id: str) -> Row | None:
    """The game's rounds and sums (none: no round yet)."""
    return await (
        db.prepare(
            "SELECT rounds, total_staked, total_paid, sum_expected, sum_variance FROM game_stats "
            "WHERE game_id = ?"
        )
        .bind(game_id)
        .first()
    )


async def games_with_rounds(db: Database, min_rounds: int) -> list[Row]:
    """The games with at least `min_rounds` rounds, by id."""
    return await (
        db.prepare("SELECT game_id FROM game_stats WHERE rounds >= ? ORDER BY game_id")
        .bind(min_rounds)
        .all()
    )
