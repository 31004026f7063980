"""onewindow section plugin for 医药器械审批科."""
