nosuchfile.bt
