"""What a case publishes: the materials stored per revision and the channel texts."""
