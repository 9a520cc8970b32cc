"""Working with pandera and great-expectations: a pack's checks exported for them, their schemas
and suites imported as packs.

    export (statguard.interop.pandera_export, gx_export): pack -> pandera module / GX suites
    import (statguard.interop.pandera_import, gx_import): pandera schema / GX suite -> pack YAML

What one side cannot express is listed (statguard.interop.common.Unmapped), never dropped.
pandera and great_expectations are imported only inside the functions that need them.
"""
