"""Rules over whole sources and groups of records: statistics compared with bounds."""
