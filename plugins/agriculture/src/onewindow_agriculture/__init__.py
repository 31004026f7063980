"""onewindow section plugin for 农业水利审批科."""
