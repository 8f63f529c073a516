package enum CartwiseModelsVersion {}
