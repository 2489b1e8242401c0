"""Pay runs: compute a branch's month from statistics and the scheme in force."""
