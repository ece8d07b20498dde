"""The demand ledger (需求台账): every planned item from every fair, worked on after the fair by its
department's staff and closed out by organisers (models, moves, figures, reconciliation rounds)."""
