"""onewindow section plugin for 安全质量审批科."""
