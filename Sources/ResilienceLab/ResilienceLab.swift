// Placeholder until the replay sources land.
